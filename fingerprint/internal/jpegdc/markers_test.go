package jpegdc

import (
	"bytes"
	"errors"
	"testing"
)

// insertFill puts n 0xFF fill bytes before every marker after the headers
// (RSTn, DHT, SOS, EOI), which T.81 B.1.1.2 allows and decoders must skip.
func insertFill(data []byte, n int) []byte {
	start := bytes.Index(data, []byte{0xFF, 0xDA})
	out := bytes.Clone(data[:start])
	fill := bytes.Repeat([]byte{0xFF}, n)
	for i := start; i < len(data); i++ {
		if data[i] == 0xFF && i+1 < len(data) && data[i+1] != 0 {
			out = append(out, fill...)
		}
		out = append(out, data[i])
	}
	return out
}

func TestFillBytes(t *testing.T) {
	for _, name := range []string{"rst_420_row.jpg", "prog_rst.jpg", "base_luma_last.jpg", "rst_grey_3b.jpg"} {
		data := readTestdata(t, name)
		want, _, err := Decode(data, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := Decode(insertFill(data, 3), 0)
		if err != nil || !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("%s with fill bytes: err %v", name, err)
		}
	}
}

func TestUnsupportedFrames(t *testing.T) {
	for _, sof := range []byte{0xC3, 0xC5, 0xC9, 0xCA, 0xCB, 0xCD} {
		data := readTestdata(t, "grey_q50.jpg")
		i := bytes.Index(data, []byte{0xFF, 0xC0})
		data[i+1] = sof
		if _, _, err := Decode(data, 0); !errors.Is(err, ErrUnsupported) {
			t.Errorf("SOF %#x: got %v, want ErrUnsupported", sof, err)
		}
	}
}

func TestNotJPEG(t *testing.T) {
	for _, data := range [][]byte{nil, {0xFF}, []byte("GIF89a"), {0xFF, 0xD8}, {0xFF, 0xD8, 0xFF, 0xD9}} {
		if _, _, err := Decode(data, 0); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: got %v, want ErrFormat", data, err)
		}
		if _, err := DecodeConfig(data); !errors.Is(err, ErrFormat) {
			t.Errorf("DecodeConfig(%q): got %v, want ErrFormat", data, err)
		}
	}
}

// dqtCoarserDC returns a DQT segment redefining table 0 as the first
// 8-bit table 0 of data with its DC entry one step coarser: the AC entries must stay,
// or a full decode would clip and no longer average to the DC.
func dqtCoarserDC(t *testing.T, data []byte) []byte {
	t.Helper()
	for i := 0; i+4 < len(data); i++ {
		if data[i] == 0xFF && data[i+1] == 0xDB && data[i+4] == 0 {
			seg := bytes.Clone(data[i : i+2+2+65])
			seg[2], seg[3] = 0, 67
			seg[5]++
			return seg
		}
	}
	t.Fatal("no 8-bit DQT for table 0")
	return nil
}

// TestQuantRedefined redefines the luma quantisation table between scans.
// A sequential scan uses the table current at its start (as image/jpeg
// does); a progressive file keeps the one current at its first luma scan.
func TestQuantRedefined(t *testing.T) {
	// Luma is the last of three scans: redefine table 0 before it.
	data := readTestdata(t, "base_luma_last.jpg")
	sos := 0
	for range 3 {
		sos += bytes.Index(data[sos+1:], []byte{0xFF, 0xDA}) + 1
	}
	mod := append(append(bytes.Clone(data[:sos]), dqtCoarserDC(t, data)...), data[sos:]...)
	mean, maxd := compareFull(t, mod)
	if mean > 1.5 {
		t.Errorf("sequential: mean diff %.3f (max %.1f) against image/jpeg", mean, maxd)
	}
	before, _, _ := Decode(data, 0)
	after, _, _ := Decode(mod, 0)
	if bytes.Equal(before.Pix, after.Pix) {
		t.Errorf("sequential: the redefined table was not used")
	}

	// Progressive: redefine table 0 after the first (DC) scan.
	data = readTestdata(t, "prog_420.jpg")
	second := bytes.Index(data, []byte{0xFF, 0xDA})
	second += bytes.Index(data[second+2:], []byte{0xFF, 0xDA}) + 2
	mod = append(append(bytes.Clone(data[:second]), dqtCoarserDC(t, data)...), data[second:]...)
	before, _, _ = Decode(data, 0)
	after, _, err := Decode(mod, 0)
	if err != nil || !bytes.Equal(before.Pix, after.Pix) {
		t.Errorf("progressive: a table redefined after the first luma scan changed the result (err %v)", err)
	}
}

func TestExifOrientationMalformed(t *testing.T) {
	le := func(tail ...byte) []byte {
		return append([]byte("Exif\x00\x00II*\x00\x08\x00\x00\x00"), tail...)
	}
	entry := []byte{0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0}
	cases := []struct {
		name string
		seg  []byte
		want int
	}{
		{"valid", le(append([]byte{1, 0}, entry...)...), 6},
		{"no exif header", []byte("Exif\x00"), 0},
		{"bad byte order", []byte("Exif\x00\x00XX*\x00\x08\x00\x00\x00"), 0},
		{"IFD offset past end", []byte("Exif\x00\x00II*\x00\xff\xff\xff\xff"), 0},
		{"count past end", le(0xff, 0xff), 0},
		{"entry truncated", le(append([]byte{1, 0}, entry[:10]...)...), 0},
		{"value out of range", le(append([]byte{1, 0}, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 9, 0, 0, 0)...), 0},
		{"wrong type", le(append([]byte{1, 0}, 0x12, 0x01, 2, 0, 1, 0, 0, 0, 6, 0, 0, 0)...), 0},
	}
	for _, c := range cases {
		if got := exifOrientation(c.seg); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}
