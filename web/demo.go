package web

// Demonstration data is marked where it appears: a « démo » badge on each
// synthetic row (tables), card (headlines) and chart, and a notice at the
// top of the pages that show some, naming the blocks. Pages without a
// synthetic figure show neither.

// demoBlocker is a page that says which of its blocks (headlines, charts)
// rest on synthetic data; its tables say it themselves (HasDemo).
type demoBlocker interface {
	demoBlocks() []string
}

// tabler is a page with data tables.
type tabler interface {
	tables() []*dataTable
}

// markDemo fills the page's notice: the blocks it names, then the
// captions of the tables with synthetic rows.
func markDemo(p page) {
	b := p.base()
	b.DemoBlocks = nil
	if d, ok := p.(demoBlocker); ok {
		b.DemoBlocks = append(b.DemoBlocks, d.demoBlocks()...)
	}
	if t, ok := p.(tabler); ok {
		for _, tb := range t.tables() {
			if tb != nil && tb.HasDemo() {
				b.DemoBlocks = append(b.DemoBlocks, "le tableau « "+tb.Caption+" »")
			}
		}
	}
}
