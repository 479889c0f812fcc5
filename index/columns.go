package index

import (
	"cmp"
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
