package index

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
)

// header is what the file header records.
type header struct {
	version    int
	algorithm  string
	hashBits   int
	threshold  int
	minQuality int
	count      uint64
	created    time.Time
}

// columns is the entry data in hash order, as held in memory: what the
// builder produces, what the writer stores and what the reader decodes.
type columns struct {
	hdr     header
	hashes  []fingerprint.Hash // sorted
	quality []uint8
	// IDs: entry i's ID is dirs[code>>baseBits] + bases[code&mask].
	dirs, bases strtab
	idCodes     packed
	baseBits    uint
	// Metadata: entry i's metadata is metas[metaCodes[i]] (encodeMeta form).
	metas     strtab
	metaCodes packed
	// Regions (version 2): per region kind (regionKinds order), the
	// hashes and qualities in entry order; nil without regions, and
	// dropped once an Index has built its region views.
	regions       [len(regionKinds)][]fingerprint.Hash
	regionQuality [len(regionKinds)][]uint8
	// Detail hashes (version 3) in entry order: of the page view, and
	// per region kind; nil when not stored. The region details are
	// dropped with the regions.
	details       []fingerprint.Hash
	regionDetails [len(regionKinds)][]fingerprint.Hash
}

// hasRegions reports whether the columns hold region views.
func (c *columns) hasRegions() bool { return c.regions[0] != nil }

// hasDetails reports whether the columns hold detail hashes of any view.
func (c *columns) hasDetails() bool { return c.details != nil || c.regionDetails[0] != nil }

// appendRawHashes appends hs as 32 bytes each, most significant byte
// first (the raw hash layout of format.go).
func appendRawHashes(dst []byte, hs []fingerprint.Hash) []byte {
	for i := range hs {
		for _, w := range hs[i] {
			dst = binary.BigEndian.AppendUint64(dst, w)
		}
	}
	return dst
}

// parseRawHashes decodes b, of exactly 32*count bytes, into count hashes
// split into parts of equal length (the views of a section).
func parseRawHashes(b []byte, n uint64, parts int, what string) ([][]fingerprint.Hash, error) {
	if uint64(len(b)) != uint64(parts)*32*n {
		return nil, fmt.Errorf("%w: %d bytes of %s for %d entries", ErrCorrupt, len(b), what, n)
	}
	all := make([]fingerprint.Hash, uint64(parts)*n)
	for i := range all {
		for w := range all[i] {
			all[i][w] = binary.BigEndian.Uint64(b[32*i+8*w:])
		}
	}
	out := make([][]fingerprint.Hash, parts)
	for k := range out {
		out[k] = all[uint64(k)*n : uint64(k+1)*n : uint64(k+1)*n]
	}
	return out, nil
}

// encodeRegions returns the region hashes and quality sections.
func (c *columns) encodeRegions() (hashes, quality []byte) {
	n := len(c.hashes)
	hashes = make([]byte, 0, len(regionKinds)*32*n)
	quality = make([]byte, 0, len(regionKinds)*n)
	for k := range regionKinds {
		hashes = appendRawHashes(hashes, c.regions[k])
		quality = append(quality, c.regionQuality[k]...)
	}
	return hashes, quality
}

// encodeDetails returns the details and region details sections, each
// empty when not stored.
func (c *columns) encodeDetails() (page, regions []byte) {
	page = appendRawHashes(nil, c.details)
	if c.regionDetails[0] != nil {
		regions = make([]byte, 0, len(regionKinds)*32*len(c.hashes))
		for k := range regionKinds {
			regions = appendRawHashes(regions, c.regionDetails[k])
		}
	}
	return page, regions
}

// decodeViews parses the region and detail sections into c. In version
// 3 each may be empty (not stored); see format.go.
func (c *columns) decodeViews(kind int, b []byte, n uint64) error {
	if c.hdr.version >= 3 && len(b) == 0 {
		return nil
	}
	nk := len(regionKinds)
	switch kind {
	case secRegionHashes:
		hs, err := parseRawHashes(b, n, nk, "region hashes")
		if err != nil {
			return err
		}
		copy(c.regions[:], hs)
	case secRegionQuality:
		if uint64(len(b)) != uint64(nk)*n {
			return fmt.Errorf("%w: %d region qualities for %d entries", ErrCorrupt, len(b), n)
		}
		for _, q := range b {
			if q > 100 {
				return fmt.Errorf("%w: region quality %d", ErrCorrupt, q)
			}
		}
		for k := range regionKinds {
			c.regionQuality[k] = b[uint64(k)*n : uint64(k+1)*n : uint64(k+1)*n]
		}
	case secDetails:
		hs, err := parseRawHashes(b, n, 1, "details")
		if err != nil {
			return err
		}
		c.details = hs[0]
	case secRegionDetails:
		if !c.hasRegions() {
			return fmt.Errorf("%w: region details without regions", ErrCorrupt)
		}
		hs, err := parseRawHashes(b, n, nk, "region details")
		if err != nil {
			return err
		}
		copy(c.regionDetails[:], hs)
	}
	return nil
}

// checkViews checks what no single section can: in version 3, region
// hashes and qualities are stored both or neither.
func (c *columns) checkViews() error {
	if (c.regions[0] == nil) != (c.regionQuality[0] == nil) {
		return fmt.Errorf("%w: region hashes and qualities stored apart", ErrCorrupt)
	}
	return nil
}

// appendID appends entry i's ID to dst.
func (c *columns) appendID(dst []byte, i int) []byte {
	code := c.idCodes.get(i)
	dst = c.dirs.appendString(dst, int(code>>c.baseBits))
	return c.bases.appendString(dst, int(code&(1<<c.baseBits-1)))
}

// meta decodes entry i's metadata into a fresh Meta, using buf as
// scratch. Blobs were validated when the columns were built.
func (c *columns) meta(i int, buf []byte) (Meta, []byte) {
	if c.metas.n == 0 {
		return nil, buf
	}
	buf = c.metas.appendString(buf[:0], int(c.metaCodes.get(i)))
	m, _ := decodeMeta(buf)
	return m, buf
}

// splitID splits an ID after its last '/': the directory part repeats
// across the pages of a volume, the base name across volumes.
func splitID(id string) (dir, base string) {
	i := strings.LastIndexByte(id, '/')
	return id[:i+1], id[i+1:]
}

func cmpHash(a, b *fingerprint.Hash) int {
	for k := range a {
		if c := cmp.Compare(a[k], b[k]); c != 0 {
			return c
		}
	}
	return 0
}
