package index

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/pagematch/pagematch/fingerprint"
)

// Limits on what an entry may hold. They keep a single corrupt or hostile
// entry from dominating memory.
const (
	// MaxIDLen is the longest ID, in bytes.
	MaxIDLen = 1024
	// MaxMetaLen is the largest encoded metadata of one entry, in bytes
	// (about the sum of its key and value lengths).
	MaxMetaLen = 16 << 10
	// MaxEntries is the largest number of entries in one index. Positions
	// are held in 32 bits; shard above this (see the package README).
	MaxEntries = 1<<32 - 1
)

// KV is one metadata pair, such as {"publisher", "Shueisha"}.
type KV struct {
	Key, Value string
}

// Meta is an entry's metadata, in the order it was added. Keys need not be
// unique; Get returns the first.
type Meta []KV

// Get returns the value of the first pair with the given key.
func (m Meta) Get(key string) (string, bool) {
	for _, kv := range m {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// Entry is one reference page: its ID (unique within an index), the
// 256-bit hash of its VariantPage view, the fingerprint's quality and
// optional metadata that comes back with every match.
type Entry struct {
	ID      string
	Hash    fingerprint.Hash
	Quality uint8
	Meta    Meta
	// Detail is the detail hash of the page view (Variant.Detail), which
	// Lookup uses to confirm a match that Hash finds; zero: not recorded,
	// and then every match by Hash stands.
	Detail fingerprint.Hash
	// Regions are further views of the page, each searched on its own:
	// the top and bottom halves of its content box
	// (fingerprint.WithRegions). At most one of each kind; see NewEntry.
	Regions []Region
}

// Region is one part of a reference page hashed as an image of its own. A
// query variant whose Kind.Target is the region's Kind is compared with it.
type Region struct {
	Kind    fingerprint.VariantKind // fingerprint.VariantTop or VariantBottom
	Hash    fingerprint.Hash
	Quality uint8
	Detail  fingerprint.Hash // as Entry.Detail, of this view
}

// regionKinds are the region views an index can store, in file order.
var regionKinds = [...]fingerprint.VariantKind{fingerprint.VariantTop, fingerprint.VariantBottom}

// regionSlot returns k's position in regionKinds, or -1.
func regionSlot(k fingerprint.VariantKind) int {
	for i, r := range regionKinds {
		if r == k {
			return i
		}
	}
	return -1
}

// NewEntry returns the entry for a reference page fingerprinted as fp: its
// page hash, detail hash and quality and, if fp holds them
// (fingerprint.WithRegions), its top and bottom halves with theirs.
func NewEntry(id string, fp *fingerprint.Fingerprint, meta Meta) Entry {
	e := Entry{ID: id, Hash: fp.Hash, Quality: clampQuality(fp.Quality), Meta: meta}
	pageSeen := false
	for _, v := range fp.Variants {
		switch {
		case v.Kind == fingerprint.VariantPage && !pageSeen:
			e.Detail, pageSeen = v.Detail, true
		case regionSlot(v.Kind) >= 0:
			e.Regions = append(e.Regions, Region{Kind: v.Kind, Hash: v.Hash, Quality: clampQuality(v.Quality), Detail: v.Detail})
		}
	}
	return e
}

func clampQuality(q int) uint8 { return uint8(min(max(q, 0), 100)) }

// Match is an entry found near a query.
type Match struct {
	// ID names the matched entry.
	ID string
	// Distance is the Hamming distance between the entry's hash and the
	// query variant that matched.
	Distance int
	// Variant is the query view that matched: the page, its mirror or a
	// half of a spread. Search always reports VariantPage.
	Variant fingerprint.VariantKind
	// Quality is the entry's stored quality.
	Quality uint8
	// Meta is the entry's metadata, nil if it has none.
	Meta Meta
	// Hash is the entry's stored hash.
	Hash fingerprint.Hash
	// Detail is the Hamming distance between the detail hashes of the
	// query variant and of the view it matched (see Entry.Detail), or -1
	// when one of them is not recorded. Lookup reports it even when its
	// detail check is disabled; Search and Nearest do not compare details
	// and always report -1.
	Detail int
}

// validate reports why e cannot be stored, or nil.
func (e *Entry) validate() error {
	switch {
	case e.ID == "":
		return fmt.Errorf("%w: empty ID", ErrInvalidEntry)
	case len(e.ID) > MaxIDLen:
		return fmt.Errorf("%w: ID of %d bytes (max %d)", ErrInvalidEntry, len(e.ID), MaxIDLen)
	case !utf8.ValidString(e.ID):
		return fmt.Errorf("%w: ID %q is not valid UTF-8", ErrInvalidEntry, e.ID)
	case e.Quality > 100:
		return fmt.Errorf("%w: quality %d above 100", ErrInvalidEntry, e.Quality)
	}
	var seen [len(regionKinds)]bool
	for _, r := range e.Regions {
		k := regionSlot(r.Kind)
		switch {
		case k < 0:
			return fmt.Errorf("%w: region of kind %v", ErrInvalidEntry, r.Kind)
		case seen[k]:
			return fmt.Errorf("%w: two regions of kind %v", ErrInvalidEntry, r.Kind)
		case r.Quality > 100:
			return fmt.Errorf("%w: region quality %d above 100", ErrInvalidEntry, r.Quality)
		}
		seen[k] = true
	}
	if n := metaLen(e.Meta); n > MaxMetaLen {
		return fmt.Errorf("%w: metadata of %d bytes (max %d)", ErrInvalidEntry, n, MaxMetaLen)
	}
	return nil
}

// metaLen is the encoded size of m (see encodeMeta).
func metaLen(m Meta) int {
	if len(m) == 0 {
		return 0
	}
	n := uvarintLen(uint64(len(m)))
	for _, kv := range m {
		n += uvarintLen(uint64(len(kv.Key))) + len(kv.Key) + uvarintLen(uint64(len(kv.Value))) + len(kv.Value)
	}
	return n
}

// encodeMeta appends m as: count, then length-prefixed key and value for
// each pair. No metadata encodes as nothing, so it sorts first in the
// metadata dictionary.
func encodeMeta(dst []byte, m Meta) []byte {
	if len(m) == 0 {
		return dst
	}
	dst = binary.AppendUvarint(dst, uint64(len(m)))
	for _, kv := range m {
		dst = binary.AppendUvarint(dst, uint64(len(kv.Key)))
		dst = append(dst, kv.Key...)
		dst = binary.AppendUvarint(dst, uint64(len(kv.Value)))
		dst = append(dst, kv.Value...)
	}
	return dst
}

// decodeMeta parses an encodeMeta blob. The strings share one allocation.
func decodeMeta(b []byte) (Meta, error) {
	cnt, err := walkMeta(b, nil)
	if err != nil || cnt == 0 {
		return nil, err
	}
	s := string(b)
	m := make(Meta, 0, cnt)
	walkMeta(b, func(k0, k1, v0, v1 int) { m = append(m, KV{s[k0:k1], s[v0:v1]}) })
	return m, nil
}

// walkMeta checks an encodeMeta blob and calls pair (if not nil) with the
// byte ranges of each key and value. It returns the pair count.
func walkMeta(b []byte, pair func(k0, k1, v0, v1 int)) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	c := cursor{b: b}
	cnt := c.uvarint()
	if c.bad || cnt == 0 || cnt > uint64(len(b)) {
		return 0, fmt.Errorf("%w: metadata count", ErrCorrupt)
	}
	pos := func() int { return len(b) - len(c.b) }
	for i := uint64(0); i < cnt; i++ {
		kl := c.uvarint()
		k0 := pos()
		c.bytes(kl)
		vl := c.uvarint()
		v0 := pos()
		c.bytes(vl)
		if c.bad {
			return 0, fmt.Errorf("%w: metadata pair", ErrCorrupt)
		}
		if pair != nil {
			pair(k0, k0+int(kl), v0, v0+int(vl))
		}
	}
	if len(c.b) != 0 {
		return 0, fmt.Errorf("%w: metadata trailing bytes", ErrCorrupt)
	}
	return int(cnt), nil
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
