package jpegdc

import (
	"fmt"
	"testing"
)

func TestGoEncoder(t *testing.T) {
	worst, worstMax := 0.0, 0.0
	for _, size := range [][2]int{{131, 93}, {64, 64}, {8, 8}, {1, 1}, {17, 250}, {300, 9}} {
		for kind := 0; kind < 4; kind++ {
			for _, q := range []int{30, 60, 85, 95, 100} {
				for _, colour := range []bool{false, true} {
					name := fmt.Sprintf("%dx%d/k%d/q%d/colour=%v", size[0], size[1], kind, q, colour)
					var data []byte
					if colour {
						data = encodeJPEG(t, synthColour(kind, size[0], size[1], 1), q)
					} else {
						data = encodeJPEG(t, synthGray(kind, size[0], size[1], 1), q)
					}
					mean, maxd := compareFull(t, data)
					worst, worstMax = max(worst, mean), max(worstMax, maxd)
					if mean > 1.5 {
						t.Errorf("%s: mean diff %.3f, max %.1f", name, mean, maxd)
					}
				}
			}
		}
	}
	t.Logf("worst mean diff %.3f, worst single block %.1f", worst, worstMax)
}
