package index

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
)

// Builder collects entries and writes an index. The zero value is not
// usable; call NewBuilder. A Builder is not safe for concurrent use. It
// may be written any number of times and keeps accepting entries after a
// write.
//
// Memory: about 100 bytes per entry (170 with regions, and 32 more per
// view with detail hashes) plus the ID and metadata strings while
// building, and about twice that while writing.
type Builder struct {
	cfg     builderConfig
	hashes  []fingerprint.Hash
	ids     []string
	quality []uint8
	meta    []Meta // nil until an entry has metadata
	// regions and regionQuality are per region kind, nil until an entry
	// has regions.
	regions       [len(regionKinds)][]fingerprint.Hash
	regionQuality [len(regionKinds)][]uint8
	// details and regionDetails are nil until an entry has a detail
	// hash of that view.
	details       []fingerprint.Hash
	regionDetails [len(regionKinds)][]fingerprint.Hash
	seen          map[string]struct{}
}

// NewBuilder returns an empty Builder.
func NewBuilder(opts ...BuilderOption) *Builder {
	b := &Builder{cfg: defaultBuilderConfig(), seen: make(map[string]struct{})}
	for _, o := range opts {
		o.applyBuilder(&b.cfg)
	}
	return b
}

// Len returns the number of entries added.
func (b *Builder) Len() int { return len(b.ids) }

// Add adds an entry. It returns an error wrapping ErrDuplicateID if the ID
// was added before, ErrInvalidEntry if the entry cannot be stored and
// ErrTooLarge beyond MaxEntries. The entry's Meta slice is copied.
func (b *Builder) Add(e Entry) error {
	if err := e.validate(); err != nil {
		return fmt.Errorf("index: add %q: %w", e.ID, err)
	}
	if _, dup := b.seen[e.ID]; dup {
		return fmt.Errorf("index: add %q: %w", e.ID, ErrDuplicateID)
	}
	if uint64(len(b.ids)) >= MaxEntries {
		return fmt.Errorf("index: add %q: %w", e.ID, ErrTooLarge)
	}
	b.seen[e.ID] = struct{}{}
	b.hashes = append(b.hashes, e.Hash)
	b.ids = append(b.ids, e.ID)
	b.quality = append(b.quality, e.Quality)
	if len(e.Meta) > 0 && b.meta == nil {
		b.meta = make([]Meta, len(b.ids)-1, cap(b.ids))
	}
	if b.meta != nil {
		b.meta = append(b.meta, slices.Clone(e.Meta))
	}
	if len(e.Regions) > 0 && b.regions[0] == nil {
		for k := range regionKinds {
			b.regions[k] = make([]fingerprint.Hash, len(b.ids)-1, cap(b.ids))
			b.regionQuality[k] = make([]uint8, len(b.ids)-1, cap(b.ids))
		}
	}
	if b.regions[0] != nil {
		for k := range regionKinds {
			b.regions[k] = append(b.regions[k], fingerprint.Hash{})
			b.regionQuality[k] = append(b.regionQuality[k], 0)
		}
		for _, r := range e.Regions {
			k := regionSlot(r.Kind)
			b.regions[k][len(b.ids)-1] = r.Hash
			b.regionQuality[k][len(b.ids)-1] = r.Quality
		}
	}
	b.addDetails(&e)
	return nil
}

// addDetails records e's detail hashes, once any entry has one; entries
// before it get zero (not recorded).
func (b *Builder) addDetails(e *Entry) {
	n := len(b.ids)
	if !e.Detail.IsZero() && b.details == nil {
		b.details = make([]fingerprint.Hash, n-1, cap(b.ids))
	}
	if b.details != nil {
		b.details = append(b.details, e.Detail)
	}
	if b.regionDetails[0] == nil && slices.ContainsFunc(e.Regions, func(r Region) bool { return !r.Detail.IsZero() }) {
		for k := range regionKinds {
			b.regionDetails[k] = make([]fingerprint.Hash, n-1, cap(b.ids))
		}
	}
	if b.regionDetails[0] != nil {
		for k := range regionKinds {
			b.regionDetails[k] = append(b.regionDetails[k], fingerprint.Hash{})
		}
		for _, r := range e.Regions {
			b.regionDetails[regionSlot(r.Kind)][n-1] = r.Detail
		}
	}
}

// WriteTo writes the index in the file format to w.
func (b *Builder) WriteTo(w io.Writer) (int64, error) {
	c, err := b.columns()
	if err != nil {
		return 0, err
	}
	return writeColumns(w, c, b.cfg.level)
}

// Save writes the index to path atomically: to a temporary file in the
// same directory, synced, then renamed over path.
func (b *Builder) Save(path string) error {
	c, err := b.columns()
	if err != nil {
		return err
	}
	return saveColumns(path, c, b.cfg.level)
}

// Index returns the index in memory, as Read would return it after a
// write, without the file round trip.
func (b *Builder) Index(opts ...Option) (*Index, error) {
	cfg := defaultOpenConfig()
	for _, o := range opts {
		o.applyOpen(&cfg)
	}
	c, err := b.columns()
	if err != nil {
		return nil, err
	}
	return newIndex(c, cfg)
}

// columns sorts the entries by hash (then ID) and dictionary-codes the
// IDs and metadata.
func (b *Builder) columns() (*columns, error) {
	n := len(b.ids)
	created := b.cfg.created
	if created.IsZero() {
		created = time.Now()
	}
	version := 1
	switch {
	case b.details != nil || b.regionDetails[0] != nil:
		version = 3
	case b.regions[0] != nil:
		version = 2
	}
	c := &columns{hdr: header{
		version:    version,
		algorithm:  b.cfg.algorithm,
		hashBits:   fingerprint.HashBits,
		threshold:  b.cfg.threshold,
		minQuality: fingerprint.MinQuality,
		count:      uint64(n),
		created:    created.UTC(),
	}}
	if len(c.hdr.algorithm) > maxAlgorithmLen || c.hdr.threshold < 0 || c.hdr.threshold > fingerprint.HashBits {
		return nil, fmt.Errorf("index: invalid algorithm %q or threshold %d", c.hdr.algorithm, c.hdr.threshold)
	}
	type key struct {
		h fingerprint.Hash
		i uint32
	}
	keys := make([]key, n)
	for i := range keys {
		keys[i] = key{b.hashes[i], uint32(i)}
	}
	slices.SortFunc(keys, func(x, y key) int {
		if c := cmpHash(&x.h, &y.h); c != 0 {
			return c
		}
		return cmp.Compare(b.ids[x.i], b.ids[y.i])
	})
	c.hashes = make([]fingerprint.Hash, n)
	adviseHuge(c.hashes)
	c.quality = make([]uint8, n)
	perm := make([]uint32, n)
	for j, k := range keys {
		c.hashes[j] = k.h
		c.quality[j] = b.quality[k.i]
		perm[j] = k.i
	}
	keys = nil
	if b.regions[0] != nil {
		for k := range regionKinds {
			c.regions[k] = permute(b.regions[k], perm)
			c.regionQuality[k] = permute(b.regionQuality[k], perm)
			c.regionDetails[k] = permute(b.regionDetails[k], perm)
		}
	}
	c.details = permute(b.details, perm)

	dirOf := func(i uint32) string { d, _ := splitID(b.ids[i]); return d }
	baseOf := func(i uint32) string { _, s := splitID(b.ids[i]); return s }
	dirs, dirCode, err := dictionary(perm, dirOf)
	if err != nil {
		return nil, err
	}
	bases, baseCode, err := dictionary(perm, baseOf)
	if err != nil {
		return nil, err
	}
	c.dirs, c.bases = dirs, bases
	c.baseBits = bitsFor(uint64(bases.n))
	c.idCodes = newPacked(n, bitsFor(uint64(dirs.n))+c.baseBits)
	for j := range perm {
		c.idCodes.set(j, uint64(dirCode[j])<<c.baseBits|uint64(baseCode[j]))
	}
	dirCode, baseCode = nil, nil

	var buf []byte
	metaOf := func(i uint32) string {
		buf = encodeMeta(buf[:0], b.meta[i])
		return string(buf)
	}
	if b.meta == nil { // no metadata: one empty blob for every entry
		metaOf = func(uint32) string { return "" }
	}
	metas, metaCode, err := dictionary(perm, metaOf)
	if err != nil {
		return nil, err
	}
	c.metas = metas
	c.metaCodes = newPacked(n, bitsFor(uint64(metas.n)))
	for j, code := range metaCode {
		c.metaCodes.set(j, uint64(code))
	}
	return c, nil
}

// permute returns xs in the order perm (xs[perm[0]], ...), or nil for nil.
func permute[T any](xs []T, perm []uint32) []T {
	if xs == nil {
		return nil
	}
	out := make([]T, len(perm))
	for j, i := range perm {
		out[j] = xs[i]
	}
	return out
}

// dictionary collects the distinct values of val over perm, sorted, and
// returns them with each position's code.
func dictionary(perm []uint32, val func(uint32) string) (strtab, []uint32, error) {
	// Provisional codes in order of first appearance, remapped to sorted
	// order at the end: one map lookup per entry.
	first := make(map[string]uint32)
	var distinct []string
	codes := make([]uint32, len(perm))
	for j, i := range perm {
		v := val(i)
		c, ok := first[v]
		if !ok {
			c = uint32(len(distinct))
			first[v] = c
			distinct = append(distinct, v)
		}
		codes[j] = c
	}
	order := make([]uint32, len(distinct))
	for k := range order {
		order[k] = uint32(k)
	}
	slices.SortFunc(order, func(a, b uint32) int { return cmp.Compare(distinct[a], distinct[b]) })
	final := make([]uint32, len(distinct))
	var t strtab
	for rank, k := range order {
		final[k] = uint32(rank)
		t.add([]byte(distinct[k]))
	}
	if len(t.data) >= 1<<32 {
		return t, nil, fmt.Errorf("index: dictionary of %d bytes: %w", len(t.data), ErrTooLarge)
	}
	t.finish()
	for j, c := range codes {
		codes[j] = final[c]
	}
	return t, codes, nil
}
