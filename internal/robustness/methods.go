package robustness

import (
	"image"

	"github.com/corona10/goimagehash"
	"github.com/pagematch/pagematch/fingerprint"
)

// Pagematch is the library's own method: the page hash is indexed, and a
// query tries every variant (page, mirror, spread halves).
func Pagematch(opts ...fingerprint.Option) Method {
	return Method{
		Name: "pagematch",
		Bits: fingerprint.HashBits,
		Reference: func(img image.Image) (Code, error) {
			fp, err := fingerprint.FromImage(img, opts...)
			if err != nil {
				return Code{}, err
			}
			return Code{fp.Hash, fp.Quality}, nil
		},
		Query: func(img image.Image) ([]Code, error) {
			fp, err := fingerprint.FromImage(img, opts...)
			if err != nil {
				return nil, err
			}
			out := make([]Code, len(fp.Variants))
			for i, v := range fp.Variants {
				out[i] = Code{v.Hash, v.Quality}
			}
			return out, nil
		},
		Matchable: func(c Code) bool { return c.Quality >= fingerprint.MinQuality },
	}
}

// Goimagehash wraps a 64-bit goimagehash function as a method with one
// code per image and no quality rule.
func Goimagehash(name string, f func(image.Image) (*goimagehash.ImageHash, error)) Method {
	one := func(img image.Image) (Code, error) {
		h, err := f(img)
		if err != nil {
			return Code{}, err
		}
		return Code{Hash: fingerprint.Hash{h.GetHash()}, Quality: 100}, nil
	}
	return Method{
		Name:      name,
		Bits:      64,
		Reference: one,
		Query: func(img image.Image) ([]Code, error) {
			c, err := one(img)
			return []Code{c}, err
		},
		Matchable: func(Code) bool { return true },
	}
}

// Baselines are goimagehash's PerceptionHash and DifferenceHash.
func Baselines() []Method {
	return []Method{
		Goimagehash("goimagehash-phash", goimagehash.PerceptionHash),
		Goimagehash("goimagehash-dhash", goimagehash.DifferenceHash),
	}
}
