package pirate

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"golang.org/x/image/webp"
)

// EncodeJPEG encodes img with image/jpeg at quality q (1-100). Greyscale
// images give greyscale JPEGs.
func EncodeJPEG(img image.Image, q int) ([]byte, error) {
	if img == nil || img.Bounds().Empty() {
		return nil, fmt.Errorf("%w: empty image", ErrBadInput)
	}
	if q < 1 || q > 100 {
		return nil, fmt.Errorf("%w: jpeg quality %d", ErrBadInput, q)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return nil, fmt.Errorf("pirate: jpeg encode: %w", err)
	}
	return buf.Bytes(), nil
}

// JPEG re-encodes at quality q and returns the decoded result.
func JPEG(q int) Transform {
	return newImage("jpeg", fmt.Sprintf("jpeg-q%d", q), map[string]float64{"q": float64(q)},
		func(src image.Image, _ *rand.Rand) (image.Image, error) {
			b, err := EncodeJPEG(src, q)
			if err != nil {
				return nil, err
			}
			return jpeg.Decode(bytes.NewReader(b))
		})
}

// CwebpAvailable reports whether the cwebp encoder is on PATH.
func CwebpAvailable() bool {
	_, err := exec.LookPath("cwebp")
	return err == nil
}

// EncodeWebP encodes img with the cwebp program: lossy at quality q
// (0-100), or lossless at the strongest compression (q is then ignored). It
// returns ErrUnavailable without cwebp.
func EncodeWebP(img image.Image, q int, lossless bool) ([]byte, error) {
	if img == nil || img.Bounds().Empty() {
		return nil, fmt.Errorf("%w: empty image", ErrBadInput)
	}
	if q < 0 || q > 100 {
		return nil, fmt.Errorf("%w: webp quality %d", ErrBadInput, q)
	}
	bin, err := exec.LookPath("cwebp")
	if err != nil {
		return nil, fmt.Errorf("%w: cwebp not found (Debian package webp)", ErrUnavailable)
	}
	dir, err := os.MkdirTemp("", "pirate-webp")
	if err != nil {
		return nil, fmt.Errorf("pirate: webp: %w", err)
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "out.webp")
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("pirate: webp: %w", err)
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		return nil, fmt.Errorf("pirate: webp: %w", err)
	}
	args := []string{"-quiet", "-q", strconv.Itoa(q)}
	if lossless {
		// -z 9 is lossless at the strongest compression; q does not apply
		args = []string{"-quiet", "-z", "9"}
	}
	args = append(args, in, "-o", out)
	if msg, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pirate: cwebp: %w: %s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("pirate: webp: %w", err)
	}
	return b, nil
}

// WebP re-encodes as lossy WebP at quality q (via cwebp) and returns the
// decoded result (see DecodeWebP), or ErrUnavailable without cwebp.
func WebP(q int) Transform {
	return newImage("webp", fmt.Sprintf("webp-q%d", q), map[string]float64{"q": float64(q)},
		func(src image.Image, _ *rand.Rand) (image.Image, error) {
			b, err := EncodeWebP(src, q, false)
			if err != nil {
				return nil, err
			}
			img, err := DecodeWebP(b)
			if err != nil {
				return nil, err
			}
			return like(src, img), nil
		})
}

// DecodeWebP decodes a WebP file with golang.org/x/image/webp and corrects
// the range of lossy files: VP8 stores limited-range BT.601 YCbCr (Y from
// 16 to 235), which x/image/webp hands out as a full-range *image.YCbCr, so
// white would read as 235 and black as 16 (golang/go#40173). The result is
// *image.Gray when the chroma is neutral everywhere, else *image.NRGBA;
// lossless files come back as decoded.
func DecodeWebP(b []byte) (image.Image, error) {
	img, err := webp.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("pirate: webp decode: %w", err)
	}
	yc, ok := img.(*image.YCbCr)
	if !ok {
		return img, nil
	}
	return fullRange(yc), nil
}

// fullRange converts limited-range YCbCr to full-range pixels, the way
// libwebp's decoder does.
func fullRange(yc *image.YCbCr) image.Image {
	r := yc.Rect
	neutral := true
	for _, p := range [][]uint8{yc.Cb, yc.Cr} {
		for _, v := range p {
			if v != 128 {
				neutral = false
				break
			}
		}
	}
	clamp := func(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }
	if neutral {
		out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
		for y := 0; y < r.Dy(); y++ {
			for x := 0; x < r.Dx(); x++ {
				out.Pix[y*out.Stride+x] = clamp((float64(yc.Y[yc.YOffset(r.Min.X+x, r.Min.Y+y)]) - 16) * 255 / 219)
			}
		}
		return out
	}
	out := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			Y := (float64(yc.Y[yc.YOffset(r.Min.X+x, r.Min.Y+y)]) - 16) * 1.164
			co := yc.COffset(r.Min.X+x, r.Min.Y+y)
			cb, cr := float64(yc.Cb[co])-128, float64(yc.Cr[co])-128
			o := out.PixOffset(x, y)
			out.Pix[o] = clamp(Y + 1.596*cr)
			out.Pix[o+1] = clamp(Y - 0.813*cr - 0.391*cb)
			out.Pix[o+2] = clamp(Y + 2.018*cb)
			out.Pix[o+3] = 255
		}
	}
	return out
}
