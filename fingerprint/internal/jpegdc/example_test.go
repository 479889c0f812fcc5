package jpegdc_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"

	"github.com/pagematch/pagematch/fingerprint/internal/jpegdc"
)

// encodeGradient returns a 100×60 greyscale JPEG, darker to the right.
func encodeGradient() []byte {
	img := image.NewGray(image.Rect(0, 0, 100, 60))
	for y := 0; y < 60; y++ {
		for x := 0; x < 100; x++ {
			img.Pix[y*img.Stride+x] = uint8(250 - 2*x)
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	return buf.Bytes()
}

func ExampleDecode() {
	thumb, cfg, err := jpegdc.Decode(encodeGradient(), 0)
	if errors.Is(err, jpegdc.ErrUnsupported) {
		return // fall back to image/jpeg
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Width, cfg.Height, cfg.Orientation)
	fmt.Println(thumb.Bounds().Dx(), thumb.Bounds().Dy())
	fmt.Println(thumb.GrayAt(0, 0).Y > thumb.GrayAt(12, 0).Y)
	// Output:
	// 100 60 1
	// 13 8
	// true
}

func ExampleDecoder() {
	data := encodeGradient()
	d := jpegdc.NewDecoder(jpegdc.WithMaxPixels(50_000_000))
	var thumb *image.Gray
	for range 3 {
		var err error
		// Passing the previous thumbnail back reuses its pixels.
		if thumb, _, err = d.Decode(data, thumb); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(thumb.Bounds())
	// Output:
	// (0,0)-(13,8)
}

func ExampleDecodeConfig() {
	cfg, err := jpegdc.DecodeConfig(encodeGradient())
	fmt.Printf("%+v %v\n", cfg, err)
	// Output:
	// {Width:100 Height:60 Components:1 Progressive:false Orientation:1} <nil>
}
