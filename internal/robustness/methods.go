package robustness

import (
	"context"
	"fmt"
	"image"
	"sync/atomic"

	"github.com/corona10/goimagehash"
	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
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
			return refCodes(fp), err
		},
		Query: func(img image.Image) ([]Code, error) {
			fp, err := fingerprint.FromImage(img, opts...)
			return queryCodes(fp), err
		},
		Matchable: func(c Code) bool { return c.Quality >= fingerprint.MinQuality },
	}
}

// PagematchJPEG is Pagematch as a proxy runs it: references are encoded
// as JPEG at quality refQ (a publisher's masters) and queries at queryQ
// (the copy a pirate serves), and both are fingerprinted from those bytes
// by fingerprint.FromBytes, which takes the DC-only JPEG fast path for
// images whose short side is at least 768 pixels and decodes smaller
// ones in full. If st is not nil, it counts the images and those that
// took the fast path.
func PagematchJPEG(refQ, queryQ int, st *JPEGStats, opts ...fingerprint.Option) Method {
	m := Pagematch(opts...)
	m.Name = "pagematch-jpeg"
	if st == nil {
		st = new(JPEGStats)
	}
	viaJPEG := func(q int, codes func(*fingerprint.Fingerprint) []Code, n, fast *atomic.Int64) func(image.Image) ([]Code, error) {
		return func(img image.Image) ([]Code, error) {
			b, err := pirate.EncodeJPEG(img, q)
			if err != nil {
				return nil, err
			}
			fp, err := fingerprint.FromBytes(context.Background(), b, opts...)
			if err != nil {
				return nil, fmt.Errorf("robustness: %w", err)
			}
			n.Add(1)
			if fp.FastPath {
				fast.Add(1)
			}
			return codes(fp), nil
		}
	}
	m.Reference = viaJPEG(refQ, refCodes, &st.Refs, &st.RefsFast)
	m.Query = viaJPEG(queryQ, queryCodes, &st.Queries, &st.QueriesFast)
	return m
}

// JPEGStats counts what PagematchJPEG fingerprinted: references and
// queries (distractors included), and how many of each took the fast path.
type JPEGStats struct {
	Refs, RefsFast, Queries, QueriesFast atomic.Int64
}

// refCodes are the views a reference stores: those that are their own
// target, the page and, with WithRegions, its halves. nil for nil.
func refCodes(fp *fingerprint.Fingerprint) []Code {
	if fp == nil {
		return nil
	}
	var out []Code
	for _, v := range fp.Variants {
		if v.Kind == v.Kind.Target() {
			out = append(out, Code{Hash: v.Hash, Detail: v.Detail, Quality: v.Quality, Kind: v.Kind, Variant: v.Kind})
		}
	}
	return out
}

// queryCodes are every variant of a query, each compared with the view
// it targets. nil for nil.
func queryCodes(fp *fingerprint.Fingerprint) []Code {
	if fp == nil {
		return nil
	}
	out := make([]Code, len(fp.Variants))
	for i, v := range fp.Variants {
		out[i] = Code{Hash: v.Hash, Detail: v.Detail, Quality: v.Quality, Kind: v.Kind.Target(), Variant: v.Kind}
	}
	return out
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
