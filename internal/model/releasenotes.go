package model

import "time"

// ReleaseNote is what one import run changed: the data release notes of
// /a-propos/donnees and its Atom feed. The counts come from the importer
// (import_run_changes, written in the run's transaction), never by hand.
type ReleaseNote struct {
	RunID      int64
	FinishedAt time.Time
	// Changed is false for a run « sans changement » (no data version).
	Changed bool
	Changes []SourceChange
}

// SourceChange counts the rows of one table a run added, modified and
// deleted for one source (format) and millésime ("" for a table without
// millésime: referentials, establishment records).
type SourceChange struct {
	Source    string // the format's Kind
	Producer  string
	Table     string
	Millesime string
	Synthetic bool // from demonstration (synthetic) files
	Added     int
	Modified  int
	Deleted   int
}

// Totals sums the changes of a note.
func (n ReleaseNote) Totals() (added, modified, deleted int) {
	for _, c := range n.Changes {
		added += c.Added
		modified += c.Modified
		deleted += c.Deleted
	}
	return
}
