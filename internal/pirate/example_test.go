package pirate_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

func ExampleAll() {
	s := testpages.Spec{Series: 1, Page: 2, Width: 300, Height: 425}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, t := range pirate.All() {
		if t.Family != "crop" && t.Family != "spread" {
			continue
		}
		// Run works for every family, including those that need the Spec.
		img, err := t.Run(s, rng)
		if err != nil {
			panic(err)
		}
		fmt.Println(t.Name, img.Bounds().Dx(), img.Bounds().Dy())
	}
	// Output:
	// crop-l0.02 294 425
	// crop-r0.08 276 425
	// crop-t0.05 300 404
	// crop-b0.08 300 391
	// crop-l0.04-r0.04-t0.04-b0.04 276 391
	// crop-l0.03-r0.06 273 425
	// crop-t0.02-b0.08 300 382
	// crop-l0.08-r0.02-t0.08-b0.02 270 382
	// spread-right-g0.000-0.50 300 213
	// spread-left-g0.020-0.80 490 340
	// spread-right-g0.010-0.65 394 276
	// spread-left-g0.000-0.60 360 255
}

func ExampleRandom() {
	rng := rand.New(rand.NewPCG(42, 0))
	t := pirate.Random("jpeg", rng)
	page := testpages.Page(testpages.Spec{Series: 1, Width: 300, Height: 425})
	img, err := t.Apply(page, rng)
	if err != nil {
		panic(err)
	}
	fmt.Println(t.Family, t.Params["q"] >= 40 && t.Params["q"] <= 95, img.Bounds() == page.Bounds())
	// Output:
	// jpeg true true
}

func ExampleSpread() {
	a := testpages.Page(testpages.Spec{Series: 1, Page: 4, Width: 300, Height: 425})
	b := testpages.Page(testpages.Spec{Series: 1, Page: 5, Width: 300, Height: 425})
	img := pirate.Spread(a, b, true, 0.01, 0.5)
	fmt.Println(img.Bounds().Dx(), img.Bounds().Dy())
	// Output:
	// 303 213
}
