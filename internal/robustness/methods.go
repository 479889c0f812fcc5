package robustness

import (
	"image"

	"github.com/corona10/goimagehash"
	"github.com/pagematch/pagematch/fingerprint"
)

// Pagematch is the library's own method: the page hash is indexed, and a
// query tries every variant (page, mirror, spread halves). With
// fingerprint.WithRegions the page's top and bottom halves are indexed too,
// and a query's halves are compared with them.
func Pagematch(opts ...fingerprint.Option) Method {
	return Method{
		Name: "pagematch",
		Bits: fingerprint.HashBits,
		Reference: func(img image.Image) ([]Code, error) {
			fp, err := fingerprint.FromImage(img, opts...)
			if err != nil {
				return nil, err
			}
			// The views a reference stores are those that are their
			// own target: the page, and with WithRegions its halves.
			var out []Code
			for _, v := range fp.Variants {
				if v.Kind == v.Kind.Target() {
					out = append(out, Code{Hash: v.Hash, Quality: v.Quality, Kind: v.Kind, Variant: v.Kind})
				}
			}
			return out, nil
		},
		Query: func(img image.Image) ([]Code, error) {
			fp, err := fingerprint.FromImage(img, opts...)
			if err != nil {
				return nil, err
			}
			out := make([]Code, len(fp.Variants))
			for i, v := range fp.Variants {
				out[i] = Code{Hash: v.Hash, Quality: v.Quality, Kind: v.Kind.Target(), Variant: v.Kind}
			}
			return out, nil
		},
		Matchable: func(c Code) bool { return c.Quality >= fingerprint.MinQuality },
	}
}

// Goimagehash wraps a 64-bit goimagehash function as a method with one
// code per image and no quality rule.
func Goimagehash(name string, f func(image.Image) (*goimagehash.ImageHash, error)) Method {
	one := func(img image.Image) ([]Code, error) {
		h, err := f(img)
		if err != nil {
			return nil, err
		}
		return []Code{{Hash: fingerprint.Hash{h.GetHash()}, Quality: 100}}, nil
	}
	return Method{Name: name, Bits: 64, Reference: one, Query: one, Matchable: func(Code) bool { return true }}
}

// Baselines are goimagehash's PerceptionHash and DifferenceHash.
func Baselines() []Method {
	return []Method{
		Goimagehash("goimagehash-phash", goimagehash.PerceptionHash),
		Goimagehash("goimagehash-dhash", goimagehash.DifferenceHash),
	}
}
