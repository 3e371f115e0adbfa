package importer

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// With VITRINE_IMPORT_TRACE=1, a run writes on stderr the time of each of
// its phases since it started (what scripts/bench-import.sh and
// docs/PERFORMANCE.md read to say where an import spends its time).
var traceOn = os.Getenv("VITRINE_IMPORT_TRACE") == "1"

var traceMu sync.Mutex

func trace(start time.Time, format string, args ...any) {
	if !traceOn {
		return
	}
	traceMu.Lock()
	defer traceMu.Unlock()
	fmt.Fprintf(os.Stderr, "[import %6.3f s] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
}
