package model

import "unicode"

var unicodeMn = unicode.Mn
