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
}

// hasRegions reports whether the columns hold region views.
func (c *columns) hasRegions() bool { return c.regions[0] != nil }

// encodeRegions returns the region hashes and quality sections.
func (c *columns) encodeRegions() (hashes, quality []byte) {
	n := len(c.hashes)
	hashes = make([]byte, 0, len(regionKinds)*32*n)
	quality = make([]byte, 0, len(regionKinds)*n)
	for k := range regionKinds {
		for i := range c.regions[k] {
			for _, w := range c.regions[k][i] {
				hashes = binary.BigEndian.AppendUint64(hashes, w)
			}
		}
		quality = append(quality, c.regionQuality[k]...)
	}
	return hashes, quality
}

// decodeRegions parses the region sections into c.
func (c *columns) decodeRegions(kind int, b []byte, n uint64) error {
	nk := uint64(len(regionKinds))
	switch kind {
	case secRegionHashes:
		if uint64(len(b)) != nk*32*n {
			return fmt.Errorf("%w: %d bytes of region hashes for %d entries", ErrCorrupt, len(b), n)
		}
		all := make([]fingerprint.Hash, nk*n)
		for i := range all {
			for w := range all[i] {
				all[i][w] = binary.BigEndian.Uint64(b[32*i+8*w:])
			}
		}
		for k := range regionKinds {
			c.regions[k] = all[uint64(k)*n : uint64(k+1)*n : uint64(k+1)*n]
		}
	case secRegionQuality:
		if uint64(len(b)) != nk*n {
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
