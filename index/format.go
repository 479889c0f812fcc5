package index

// File format, versions 1 to 3. All integers are little-endian; uvarint and
// varint are encoding/binary's.
//
//	magic    8 bytes  "\x89PMIDX\r\n" (the high byte and CR LF catch text-mode
//	                  and 7-bit corruption)
//	version  uint32   1; 2 for an index that stores regions; 3 for one
//	                  that stores detail hashes
//	hlen     uint32   length of the header body, at most 64 KiB
//	body     hlen bytes:
//	           uvarint length + algorithm name ("pm256-v5")
//	           uvarint hash bits (256)
//	           uvarint threshold the index was built for (informational)
//	           uvarint minimum quality (fingerprint.MinQuality at build time)
//	           uvarint entry count n
//	           varint  creation time, Unix nanoseconds
//	           uvarint section count
//	           per section: uvarint kind, uvarint codec (0 raw, 1 zstd),
//	                        uvarint stored length, uvarint raw length,
//	                        uint64 xxh3 of the stored bytes
//	hsum     uint64   xxh3 of every byte above
//	sections          back to back, in the order listed; the file ends
//	                  after the last one
//
// Version 1 has exactly these sections, in this order; entries are sorted
// by hash, then ID, and every per-entry column is in that order:
//
//	1 hashes      raw. One byte u (high bits), then Elias-Fano: a bit
//	              vector of n+2^u bits in which the i-th hash sets bit
//	              high_i+i (high_i = its top u bits), then the low 256-u
//	              bits of each hash, all packed LSB-first into uint64 words
//	              (each part padded to a whole word). u is chooseHighBits(n).
//	2 quality     n bytes
//	3 id dirs     dictionary: the distinct ID prefixes up to and including
//	              the last '/'
//	4 id bases    dictionary: the distinct remainders
//	5 id codes    one byte width w, one byte b, then n codes of w bits
//	              packed LSB-first in uint64 words; code = dir<<b | base
//	6 meta dict   dictionary of distinct encoded metadata (see encodeMeta)
//	7 meta codes  one byte width w, then n codes of w bits
//
// Version 2 adds two sections for the region views (Entry.Regions), each
// region kind in the order top, bottom; an entry without a region has a
// zero hash and quality 0 there:
//
//	8 region hashes   raw, 2n hashes of 32 bytes (most significant byte
//	                  first, as the hash prints in hex) in entry order: every
//	                  entry's top half, then every entry's bottom half
//	                  (halves are not sorted, so they are stored as is)
//	9 region quality  2n bytes, in the same order
//
// Version 3 has the sections of version 2, then two for the detail
// hashes (Entry.Detail, Region.Detail: finer frequencies of the same
// views, which confirm a match that the hash finds; see
// fingerprint.DetailMatch). A zero detail is one not recorded:
//
//	10 details          raw, n hashes of 32 bytes (as region hashes) in
//	                    entry order: each entry's page view
//	11 region details   raw, 2n hashes laid out as section 8
//
// In version 3 any of sections 8 to 11 may also be empty: 8 and 9 both
// (no regions), 10 (no page details), 11 (no region details; always
// empty without regions). The detail bits are near random, so they are
// stored raw, 32 bytes per view.
//
// A writer uses the lowest version that holds its entries: 1 when no
// entry has regions or details, 2 when some have regions but none has a
// detail, 3 otherwise, so that older readers keep reading such files.
//
// A dictionary is uvarint count, then per string (sorted, strictly
// increasing): uvarint shared prefix length with the previous string,
// uvarint suffix length, suffix.

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/zeebo/xxh3"
)

const (
	magic           = "\x89PMIDX\r\n"
	formatVersion   = 3 // the newest version this package reads and writes
	maxHeaderBody   = 64 << 10
	maxAlgorithmLen = 64
	// fixedHeader is magic, version and hlen.
	fixedHeader = len(magic) + 8
	// zstdWindow is the zstd window of the writer and the most the reader
	// accepts.
	zstdWindow = 4 << 20
)

// Section kinds, in file order.
const (
	secHashes = 1 + iota
	secQuality
	secIDDirs
	secIDBases
	secIDCodes
	secMetaDict
	secMetaCodes
	secRegionHashes
	secRegionQuality
	secDetails
	secRegionDetails
	numSections = secRegionDetails
)

// sectionCount is the number of sections a file of version v has.
func sectionCount(v int) int {
	switch v {
	case 1:
		return secMetaCodes
	case 2:
		return secRegionQuality
	}
	return secRegionDetails
}

var sectionNames = [...]string{"", "hashes", "quality", "id-dirs", "id-bases", "id-codes", "meta-dict", "meta-codes", "region-hashes", "region-quality", "details", "region-details"}

// Section codecs.
const (
	codecRaw  = 0
	codecZstd = 1
)

var codecNames = [...]string{"raw", "zstd"}

// section describes one section in the header.
type section struct {
	kind, codec int
	stored, raw uint64
	sum         uint64
}

// appendHeader encodes the whole header, checksum included.
func appendHeader(dst []byte, h *header, secs []section) []byte {
	var body []byte
	body = binary.AppendUvarint(body, uint64(len(h.algorithm)))
	body = append(body, h.algorithm...)
	body = binary.AppendUvarint(body, uint64(h.hashBits))
	body = binary.AppendUvarint(body, uint64(h.threshold))
	body = binary.AppendUvarint(body, uint64(h.minQuality))
	body = binary.AppendUvarint(body, h.count)
	body = binary.AppendVarint(body, h.created.UnixNano())
	body = binary.AppendUvarint(body, uint64(len(secs)))
	for _, s := range secs {
		body = binary.AppendUvarint(body, uint64(s.kind))
		body = binary.AppendUvarint(body, uint64(s.codec))
		body = binary.AppendUvarint(body, s.stored)
		body = binary.AppendUvarint(body, s.raw)
		body = binary.LittleEndian.AppendUint64(body, s.sum)
	}
	start := len(dst)
	dst = append(dst, magic...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(h.version))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(body)))
	dst = append(dst, body...)
	return binary.LittleEndian.AppendUint64(dst, xxh3.Hash(dst[start:]))
}

// parseHeaderBody decodes the header body (after its checksum was
// verified) and checks what can be checked without the sections.
func parseHeaderBody(version int, body []byte) (header, []section, error) {
	h := header{version: version}
	c := cursor{b: body}
	algLen := c.uvarint()
	if algLen > maxAlgorithmLen {
		return h, nil, fmt.Errorf("%w: algorithm name of %d bytes", ErrCorrupt, algLen)
	}
	h.algorithm = string(c.bytes(algLen))
	hashBits := c.uvarint()
	threshold := c.uvarint()
	minQuality := c.uvarint()
	h.count = c.uvarint()
	created := c.varint()
	nsec := c.uvarint()
	if c.bad {
		return h, nil, fmt.Errorf("%w: header fields", ErrCorrupt)
	}
	if hashBits != 256 || threshold > 256 || minQuality > 100 {
		return h, nil, fmt.Errorf("%w: hash bits %d, threshold %d, min quality %d", ErrCorrupt, hashBits, threshold, minQuality)
	}
	if h.count > MaxEntries {
		return h, nil, fmt.Errorf("%w: %d entries", ErrCorrupt, h.count)
	}
	h.hashBits, h.threshold, h.minQuality = int(hashBits), int(threshold), int(minQuality)
	h.created = time.Unix(0, created).UTC()
	if want := sectionCount(version); nsec != uint64(want) {
		return h, nil, fmt.Errorf("%w: %d sections, want %d for version %d", ErrCorrupt, nsec, want, version)
	}
	secs := make([]section, nsec)
	for i := range secs {
		s := &secs[i]
		kind, codec := c.uvarint(), c.uvarint()
		s.stored, s.raw = c.uvarint(), c.uvarint()
		s.sum = c.u64()
		if c.bad {
			return h, nil, fmt.Errorf("%w: section table", ErrCorrupt)
		}
		if kind != uint64(i+1) || codec > codecZstd {
			return h, nil, fmt.Errorf("%w: section %d has kind %d, codec %d", ErrCorrupt, i, kind, codec)
		}
		s.kind, s.codec = int(kind), int(codec)
		if s.codec == codecRaw && s.stored != s.raw {
			return h, nil, fmt.Errorf("%w: raw section %s: stored %d != raw %d", ErrCorrupt, sectionNames[s.kind], s.stored, s.raw)
		}
	}
	if len(c.b) != 0 {
		return h, nil, fmt.Errorf("%w: header trailing bytes", ErrCorrupt)
	}
	return h, secs, nil
}

// chooseHighBits picks the Elias-Fano split for n sorted 256-bit values:
// the u that minimises n+2^u (high part) + n*(256-u) (low part) bits.
func chooseHighBits(n uint64) uint {
	best, bestCost := uint(0), ^uint64(0)
	for u := uint(0); u <= 32; u++ {
		cost := n + 1<<u + n*(256-uint64(u))
		if cost < bestCost {
			best, bestCost = u, cost
		}
	}
	return best
}

// hashSectionLen is the exact size of the hashes section.
func hashSectionLen(n uint64, u uint) uint64 {
	return 1 + 8*((n+1<<u+63)/64) + 8*((n*(256-uint64(u))+63)/64)
}

// maxRaw bounds a section's decoded size from the entry count, before
// anything is allocated: exact for per-entry columns, and for
// dictionaries at most n strings of bounded length. (Sorted, front-coded
// dictionaries compress by 1000 times and more, so the stored size is no
// bound; see sectionReader.decompress.)
func maxRaw(kind int, n uint64) uint64 {
	codes := 2 + 8*((64*n+63)/64)
	switch kind {
	case secHashes:
		return hashSectionLen(n, chooseHighBits(n))
	case secQuality:
		return n
	case secIDCodes, secMetaCodes:
		return codes
	case secIDDirs, secIDBases:
		return (n+1)*(MaxIDLen+12) + 10
	case secMetaDict:
		return (n+1)*(MaxMetaLen+12) + 10
	case secRegionHashes:
		return uint64(len(regionKinds)) * 32 * n
	case secRegionQuality:
		return uint64(len(regionKinds)) * n
	case secDetails:
		return 32 * n
	case secRegionDetails:
		return uint64(len(regionKinds)) * 32 * n
	}
	return 0
}
