package jpegdc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"sync"
)

var (
	// ErrUnsupported reports a valid JPEG this decoder does not handle
	// (CMYK/YCCK or RGB-coded, 12-bit, arithmetic, lossless, hierarchical,
	// DNL). The caller should fall back to a full decoder.
	ErrUnsupported = errors.New("jpegdc: unsupported JPEG")
	// ErrTooLarge reports dimensions over the pixel limit, found in the frame
	// header before anything proportional to the image is allocated.
	ErrTooLarge = errors.New("jpegdc: image too large")
	// ErrFormat reports corrupt or truncated data, or data that is not a JPEG.
	ErrFormat = errors.New("jpegdc: invalid JPEG")
)

// DefaultMaxPixels is the pixel limit used when none is given: 100 megapixels.
const DefaultMaxPixels = 100_000_000

// Config describes a JPEG image.
type Config struct {
	Width, Height int
	Components    int  // 1 (greyscale) or 3 (YCbCr) for decodable images
	Progressive   bool // SOF2
	Orientation   int  // EXIF orientation 1..8; 1 when absent
}

// Option configures a Decoder.
type Option func(*Decoder)

// WithMaxPixels limits Width×Height; n ≤ 0 means DefaultMaxPixels.
func WithMaxPixels(n int64) Option {
	return func(d *Decoder) { d.maxPixels = n }
}

// Decoder decodes DC thumbnails, keeping its tables and buffers between
// calls so that repeated decodes allocate only the output (or nothing, when
// the caller passes an image to reuse). A Decoder is not safe for concurrent
// use; use one per goroutine.
type Decoder struct {
	maxPixels int64

	data  []byte
	cfg   Config
	sof   bool
	comps [maxComponents]component
	nComp int
	hmax  int
	vmax  int
	adobe int // APP14 transform, -1 when absent
	ri    int // restart interval in MCUs, 0: none

	qdc  [4]int32 // DC entry of each quantisation table
	qdef [4]bool
	dc   [4]huffTable
	ac   [4]huffTable

	// Luma DC state.
	outW, outH int
	// Quantised DC (<<Al) per luma block, in rows of coefW blocks: whole
	// MCUs of an interleaved scan, so that every block of every MCU has a
	// place (those past the right and bottom edges are never read).
	coef         []int32
	coefW, coefH int
	yStarted     bool  // a scan holding luma DC has been decoded
	yAl          int   // successive-approximation bit still missing below
	yq           int32 // luma DC quantiser, latched at the first luma scan

	pixels  *[2 * pixelHalf]uint8 // see pixelTable
	pixelsQ int64                 // the quantiser pixels was built for

	buf    []byte // entropy-coded data of the current scan, unstuffed
	rst    []int  // start of each restart interval in buf, then its end
	blocks [maxBlocksPerMCU]mcuBlock
	blank  blankTable // of the last one-block-per-MCU scan
	// Blank-block tables of the components of the last interleaved scan,
	// by position in the scan, allocated on first use.
	blanks [maxComponents]*blankTable
}

const (
	maxComponents   = 4
	maxBlocksPerMCU = 10
	maxSampling     = 4
)

type component struct {
	id   uint8
	h, v int
	tq   uint8
}

// NewDecoder returns a Decoder with the given options.
func NewDecoder(opts ...Option) *Decoder {
	d := &Decoder{}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Decode decodes the 1/8-scale luma plane of a JPEG: one pixel per 8×8 luma
// block, the dequantised DC/8 + 128 rounded and clamped to 0..255, an image
// of ⌈W/8⌉×⌈H/8⌉. The EXIF orientation is not applied but reported in the
// Config. maxPixels limits W×H (0: DefaultMaxPixels).
//
// On error the Config holds what the headers had told so far: with
// ErrUnsupported or ErrTooLarge, the size and component count. Decode builds
// its tables and buffers afresh; a Decoder reuses them.
func Decode(data []byte, maxPixels int64) (*image.Gray, Config, error) {
	d := Decoder{maxPixels: maxPixels}
	return d.Decode(data, nil)
}

// DecodeConfig returns the dimensions, component count, progressiveness and
// EXIF orientation of a JPEG without decoding any entropy-coded data.
func DecodeConfig(data []byte) (Config, error) {
	d := configDecoders.Get().(*Decoder)
	err := d.parse(data, true)
	cfg := d.cfg
	d.data = nil // do not keep the caller's bytes alive
	configDecoders.Put(d)
	return cfg, err
}

// configDecoders keeps the decoders of DecodeConfig, which would otherwise
// allocate one per call (21 KiB, most of it Huffman tables that a header
// walk defines but never builds).
var configDecoders = sync.Pool{New: func() any { return new(Decoder) }}

// Decode is like the package-level Decode. If dst is not nil and its Pix has
// room for the thumbnail, dst is reused (its rectangle reset to the
// thumbnail's); otherwise a new image is allocated.
func (d *Decoder) Decode(data []byte, dst *image.Gray) (*image.Gray, Config, error) {
	err := d.parse(data, false)
	d.data = nil // do not keep the caller's bytes alive
	if err != nil {
		return nil, d.cfg, err
	}
	return d.finish(dst), d.cfg, nil
}

func (d *Decoder) reset(data []byte) {
	d.data = data
	d.cfg = Config{Orientation: 1}
	d.sof = false
	d.nComp = 0
	d.adobe = -1
	d.ri = 0
	d.qdef = [4]bool{}
	for i := range d.dc {
		d.dc[i].defined = false
		d.ac[i].defined = false
	}
	d.yStarted = false
	d.yAl = 0
	d.outW, d.outH = 0, 0
}

// Marker codes (T.81 Table B.1).
const (
	mSOF0 = 0xC0
	mSOF1 = 0xC1
	mSOF2 = 0xC2
	mDHT  = 0xC4
	mDAC  = 0xCC
	mRST0 = 0xD0
	mRST7 = 0xD7
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mDQT  = 0xDB
	mDNL  = 0xDC
	mDRI  = 0xDD
	mAPP1 = 0xE1
	mAP14 = 0xEE
	mTEM  = 0x01
)

var errTruncated = fmt.Errorf("%w: unexpected end of data", ErrFormat)

// parse walks the marker segments. With headerOnly it stops at the first
// SOS; otherwise it decodes luma DC scans until the luma DC is complete.
func (d *Decoder) parse(data []byte, headerOnly bool) error {
	return d.parseWith(data, headerOnly, (*Decoder).scan)
}

// parseWith is parse decoding each scan with scan, so that the tests can
// walk the same markers with a reference version of the scan decoder.
func (d *Decoder) parseWith(data []byte, headerOnly bool, scan func(d *Decoder, seg []byte, pos int) (int, bool, error)) error {
	d.reset(data)
	if len(data) < 2 || data[0] != 0xFF || data[1] != mSOI {
		return fmt.Errorf("%w: missing SOI marker", ErrFormat)
	}
	pos := 2
	for {
		m, p, err := nextMarker(data, pos)
		if err != nil {
			return err
		}
		pos = p
		switch {
		case m == mEOI:
			if headerOnly || !d.yStarted {
				return fmt.Errorf("%w: no image data before EOI", ErrFormat)
			}
			// A progressive file whose luma DC refinements never came:
			// finish at the precision received.
			return nil
		case m == mTEM || (m >= mRST0 && m <= mRST7):
			continue // no length field
		}
		if pos+2 > len(data) {
			return errTruncated
		}
		n := int(binary.BigEndian.Uint16(data[pos:]))
		if n < 2 {
			return fmt.Errorf("%w: bad segment length", ErrFormat)
		}
		if pos+n > len(data) {
			return errTruncated
		}
		seg := data[pos+2 : pos+n]
		pos += n
		switch {
		case m == mSOF0 || m == mSOF1 || m == mSOF2:
			if err := d.parseSOF(seg, m == mSOF2); err != nil {
				return err
			}
		case m >= 0xC3 && m <= 0xCF && m != mDHT && m != 0xC8:
			// Lossless, hierarchical and arithmetic-coded frames, DAC.
			return fmt.Errorf("%w: marker %#x", ErrUnsupported, m)
		case m == mDHT:
			if err := d.parseDHT(seg); err != nil {
				return err
			}
		case m == mDQT:
			if err := d.parseDQT(seg); err != nil {
				return err
			}
		case m == mDRI:
			if len(seg) != 2 {
				return fmt.Errorf("%w: bad DRI length", ErrFormat)
			}
			d.ri = int(binary.BigEndian.Uint16(seg))
		case m == mAPP1:
			if d.cfg.Orientation == 1 {
				if o := exifOrientation(seg); o != 0 {
					d.cfg.Orientation = o
				}
			}
		case m == mAP14:
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe = int(seg[11])
			}
		case m == mDNL:
			return fmt.Errorf("%w: DNL marker", ErrUnsupported)
		case m == mSOS:
			if !d.sof {
				return fmt.Errorf("%w: SOS before SOF", ErrFormat)
			}
			if err := d.checkColour(); err != nil {
				return err
			}
			if headerOnly {
				return nil
			}
			end, done, err := scan(d, seg, pos)
			if err != nil || done {
				return err
			}
			pos = end
		}
	}
}

// nextMarker finds the marker at or after pos, skipping fill bytes and (as
// libjpeg does) stray bytes between segments, and returns its code and the
// position after it.
func nextMarker(data []byte, pos int) (byte, int, error) {
	for {
		for pos < len(data) && data[pos] != 0xFF {
			pos++
		}
		for pos < len(data) && data[pos] == 0xFF {
			pos++
		}
		if pos >= len(data) {
			return 0, 0, errTruncated
		}
		if m := data[pos]; m != 0 {
			return m, pos + 1, nil
		}
	}
}

func (d *Decoder) parseSOF(p []byte, progressive bool) error {
	if d.sof {
		return fmt.Errorf("%w: second SOF", ErrFormat)
	}
	if len(p) < 6 {
		return fmt.Errorf("%w: short SOF", ErrFormat)
	}
	if p[0] != 8 {
		return fmt.Errorf("%w: %d-bit samples", ErrUnsupported, p[0])
	}
	h := int(binary.BigEndian.Uint16(p[1:]))
	w := int(binary.BigEndian.Uint16(p[3:]))
	nc := int(p[5])
	d.cfg.Width, d.cfg.Height, d.cfg.Components, d.cfg.Progressive = w, h, nc, progressive
	if h == 0 {
		return fmt.Errorf("%w: height defined by DNL", ErrUnsupported)
	}
	if w == 0 {
		return fmt.Errorf("%w: zero width", ErrFormat)
	}
	limit := d.maxPixels
	if limit <= 0 {
		limit = DefaultMaxPixels
	}
	if int64(w)*int64(h) > limit {
		return fmt.Errorf("%w: %d×%d exceeds %d pixels", ErrTooLarge, w, h, limit)
	}
	if nc != 1 && nc != 3 {
		return fmt.Errorf("%w: %d components", ErrUnsupported, nc)
	}
	if len(p) != 6+3*nc {
		return fmt.Errorf("%w: bad SOF length", ErrFormat)
	}
	d.hmax, d.vmax = 1, 1
	for i := 0; i < nc; i++ {
		c := &d.comps[i]
		c.id = p[6+3*i]
		c.h, c.v = int(p[7+3*i]>>4), int(p[7+3*i]&15)
		c.tq = p[8+3*i]
		if c.h < 1 || c.h > maxSampling || c.v < 1 || c.v > maxSampling || c.tq > 3 {
			return fmt.Errorf("%w: bad component %d", ErrFormat, i)
		}
		for j := 0; j < i; j++ {
			if d.comps[j].id == c.id {
				return fmt.Errorf("%w: duplicate component id", ErrFormat)
			}
		}
		d.hmax, d.vmax = max(d.hmax, c.h), max(d.vmax, c.v)
	}
	if nc > 1 && (d.comps[0].h != d.hmax || d.comps[0].v != d.vmax) {
		return fmt.Errorf("%w: luma not at the highest sampling", ErrUnsupported)
	}
	if nc == 1 {
		// A single-component scan is never interleaved: the sampling
		// factors do not shape its blocks.
		d.comps[0].h, d.comps[0].v, d.hmax, d.vmax = 1, 1, 1, 1
	}
	d.nComp = nc
	d.sof = true
	d.outW, d.outH = (w+7)/8, (h+7)/8
	d.coefW = (w + 8*d.hmax - 1) / (8 * d.hmax) * d.hmax
	d.coefH = (h + 8*d.vmax - 1) / (8 * d.vmax) * d.vmax
	return nil
}

// checkColour rejects 3-component files that are RGB rather than YCbCr,
// using image/jpeg's rules (Adobe transform 0, or component ids R, G, B).
func (d *Decoder) checkColour() error {
	if d.nComp != 3 {
		return nil
	}
	if d.adobe == 0 || (d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B') {
		return fmt.Errorf("%w: RGB colour", ErrUnsupported)
	}
	return nil
}

func (d *Decoder) parseDHT(p []byte) error {
	for len(p) > 0 {
		class, id := p[0]>>4, p[0]&15
		if class > 1 || id > 3 {
			return fmt.Errorf("%w: bad DHT class or id", ErrFormat)
		}
		t := &d.dc[id]
		if class == 1 {
			t = &d.ac[id]
		}
		n, err := t.define(p[1:])
		if err != nil {
			return err
		}
		p = p[1+n:]
	}
	return nil
}

func (d *Decoder) parseDQT(p []byte) error {
	for len(p) > 0 {
		prec, id := p[0]>>4, p[0]&15
		if prec > 1 || id > 3 {
			return fmt.Errorf("%w: bad DQT precision or id", ErrFormat)
		}
		n := 1 + 64*(1+int(prec))
		if len(p) < n {
			return fmt.Errorf("%w: short DQT", ErrFormat)
		}
		// Only the DC entry (first in zig-zag order) matters here.
		q := int32(p[1])
		if prec == 1 {
			q = int32(binary.BigEndian.Uint16(p[1:]))
		}
		d.qdc[id], d.qdef[id] = q, true
		p = p[n:]
	}
	return nil
}

// finish converts the quantised luma DC values to pixels.
func (d *Decoder) finish(dst *image.Gray) *image.Gray {
	w, h := d.outW, d.outH
	if dst == nil || cap(dst.Pix) < w*h {
		dst = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		dst.Pix, dst.Stride, dst.Rect = dst.Pix[:w*h], w, image.Rect(0, 0, w, h)
	}
	bias := int64(0)
	if d.yAl > 0 {
		// Refinement scans never came: take the middle of the interval
		// the missing low bits leave open.
		bias = 1 << (d.yAl - 1)
	}
	lut := d.pixelTable(int64(d.yq))
	for y := range h {
		coef := d.coef[y*d.coefW:][:w]
		pix := dst.Pix[y*w:][:len(coef)]
		for i, c := range coef {
			x := min(max(int64(c)+bias, -pixelHalf), pixelHalf-1)
			pix[i] = lut[(x+pixelHalf)&(2*pixelHalf-1)]
		}
	}
	return dst
}

// pixelHalf bounds the DC values (bias included) that pixelTable maps:
// from pixelHalf on, with a quantiser of 1 or more, the pixel is 255
// (4096/8 + 128 > 255), and from -pixelHalf down it is 0, as the clamp
// would make them; with a quantiser of 0 every pixel is 128.
const pixelHalf = 4096

// pixelTable returns the pixel of each DC value x in [-pixelHalf,
// pixelHalf) with quantiser q, at x+pixelHalf: the DC-only IDCT, DC·q/8 in
// every pixel, level-shifted by 128, rounded and clamped. A table read per
// pixel is half the instructions of the arithmetic; the table is kept for
// the next decode, which usually has the same quantiser.
func (d *Decoder) pixelTable(q int64) *[2 * pixelHalf]uint8 {
	if d.pixels != nil && d.pixelsQ == q {
		return d.pixels
	}
	if d.pixels == nil {
		d.pixels = new([2 * pixelHalf]uint8)
	}
	for i := range d.pixels {
		v := ((int64(i)-pixelHalf)*q+4)>>3 + 128
		d.pixels[i] = uint8(min(max(v, 0), 255))
	}
	d.pixelsQ = q
	return d.pixels
}
