package jpegdc

import "encoding/binary"

// exifOrientation returns the orientation (1..8) from an APP1 body starting
// with "Exif\0\0", or 0 when there is none or it is malformed. Every offset is
// bounds-checked: the segment comes from untrusted input.
func exifOrientation(p []byte) int {
	if len(p) < 6 || string(p[:6]) != "Exif\x00\x00" {
		return 0
	}
	t := p[6:] // TIFF header; offsets below are relative to it
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	ifd := uint64(bo.Uint32(t[4:]))
	if ifd+2 > uint64(len(t)) {
		return 0
	}
	n := uint64(bo.Uint16(t[ifd:]))
	for i := uint64(0); i < n; i++ {
		e := ifd + 2 + 12*i
		if e+12 > uint64(len(t)) {
			return 0
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		// SHORT (type 3), count 1: the value sits in the first two bytes
		// of the value field. Be lenient about a LONG (type 4).
		var v uint32
		switch bo.Uint16(t[e+2:]) {
		case 3:
			v = uint32(bo.Uint16(t[e+8:]))
		case 4:
			v = bo.Uint32(t[e+8:])
		default:
			return 0
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 0
	}
	return 0
}
