package main

import (
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/testpages"
)

// realCorpus fingerprints n real pages of series 10000-.
func realCorpus(tb testing.TB, n int) *corpus {
	pages := make([]page, n)
	for i := range pages {
		s := testpages.Spec{Series: 10000 + i/10, Page: i % 10, Width: 600, Height: 850}
		fp, err := fingerprint.FromImage(testpages.Page(s), fingerprint.WithRegions(true))
		if err != nil {
			tb.Fatal(err)
		}
		pages[i] = newPage(s, fp)
	}
	return newCorpus(pages, []int{n / 3})
}

// BenchmarkQuery times one page against 600 real pages, per code
// comparison. At this size the per-query setup is a large share; the
// program's own timing at N pages is the figure to plan runs with.
func BenchmarkQuery(b *testing.B) {
	c := realCorpus(b, 600)
	var comparisons int
	for i := range c.pages {
		for v := range views {
			comparisons += len(c.pages[i].q[v]) * len(c.refs[v])
		}
	}
	s := newScanner(c, 0)
	n := 0
	for b.Loop() {
		s.query(n % len(c.pages))
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/(float64(comparisons)/float64(len(c.pages))), "ns/comparison")
}
