package fingerprint

import "testing"

// A box reaching beyond the plane (a crop hypothesis) fills what lies
// outside with the mean of what is inside, not with white paper.
func TestResampleFillsBeyondPlane(t *testing.T) {
	s := getScratch()
	defer s.release()
	p := s.plane(32, 32)
	for i := range p.pix {
		p.pix[i] = 100
		if i%2 == 0 {
			p.pix[i] = 60 // mean 80
		}
	}
	var th thumb
	p.resample(frect{-16, -8, 48, 40}, &th)
	for i, v := range th {
		if v < 59 || v > 101 {
			t.Fatalf("cell %d = %v, want within the plane's range [60, 100]", i, v)
		}
	}
	// Inside the plane nothing changes: the corner cells average pixels.
	p.resample(frect{0, 0, 32, 32}, &th)
	if v := th[0]; v < 59 || v > 101 {
		t.Fatalf("inside cell = %v", v)
	}
}
