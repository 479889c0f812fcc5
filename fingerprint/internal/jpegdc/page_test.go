package jpegdc

import "testing"

func TestBenchPages(t *testing.T) {
	grey, colour := benchPages()
	t.Logf("grey %d bytes, colour %d bytes, testpages %d bytes", len(grey), len(colour), len(testpagesPage()))
	for _, data := range [][]byte{grey, colour, testpagesPage()} {
		mean, maxd := compareFull(t, data)
		t.Logf("mean diff %.3f max %.1f", mean, maxd)
		if mean > 1.5 {
			t.Errorf("mean diff %.3f", mean)
		}
	}
}
