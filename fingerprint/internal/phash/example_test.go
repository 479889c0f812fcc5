package phash_test

import (
	"fmt"
	"image"

	"github.com/pagematch/pagematch/fingerprint/internal/phash"
)

func ExampleHash() {
	img := image.NewGray(image.Rect(0, 0, 300, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 300; x++ {
			img.Pix[y*img.Stride+x] = uint8(x*y/300 + x/2)
		}
	}
	h, err := phash.Hash(img)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%016x\n", h)
	// Output: 94295a75aa5655ba
}

func ExampleHasher() {
	// One Hasher per goroutine reuses its buffers from image to image.
	h := phash.NewHasher()
	for _, size := range []int{100, 1000} {
		img := image.NewGray(image.Rect(0, 0, size, size))
		for i := range img.Pix {
			img.Pix[i] = uint8(i % 251)
		}
		v, err := h.Hash(img)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d: %016x\n", size, v)
	}
	// Output:
	// 100: da2f057206731e73
	// 1000: ff807f80df007f80
}
