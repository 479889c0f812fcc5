package index

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/zeebo/xxh3"
)

// FileInfo describes an index file, as read by Info without building the
// search tables.
type FileInfo struct {
	Version   int
	Algorithm string
	HashBits  int
	// Threshold is the radius the index was built for (informational;
	// Lookup's radius is set when the index is opened).
	Threshold  int
	MinQuality int
	Count      int
	Created    time.Time
	// Bytes is the file size.
	Bytes    int64
	Sections []SectionInfo
	// ChecksumsOK reports whether the header and every section verify.
	ChecksumsOK bool
	// Details reports whether the file stores detail hashes (version 3
	// with a non-empty details or region-details section).
	Details bool
}

// SectionInfo describes one section of an index file.
type SectionInfo struct {
	Name        string
	Codec       string // "raw" or "zstd"
	StoredBytes int64
	RawBytes    int64
	ChecksumOK  bool
}

// Info reads the header of the index file at path and verifies every
// section checksum, without decoding the entries. See ReadInfo.
func Info(path string) (*FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	defer f.Close()
	fi, err := ReadInfo(f)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return fi, nil
}

// ReadInfo reads an index header from r and streams every section through
// its checksum. A section whose checksum fails is reported in the result
// (ChecksumsOK false), not as an error; a wrong magic, an unknown version,
// a bad header checksum, a malformed header, a truncated file or trailing
// data is an error.
func ReadInfo(r io.Reader) (*FileInfo, error) {
	hi, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	h := &hi.hdr
	fi := &FileInfo{
		Version: h.version, Algorithm: h.algorithm, HashBits: h.hashBits, Threshold: h.threshold,
		MinQuality: h.minQuality, Count: int(h.count), Created: h.created, Bytes: hi.len, ChecksumsOK: true,
	}
	hasher := xxh3.New()
	for _, s := range hi.secs {
		hasher.Reset()
		if k, err := io.CopyN(hasher, r, int64(min(s.stored, 1<<62))); err != nil || uint64(k) != s.stored {
			return nil, fmt.Errorf("%w: in section %s", ErrTruncated, sectionNames[s.kind])
		}
		si := SectionInfo{
			Name: sectionNames[s.kind], Codec: codecNames[s.codec],
			StoredBytes: int64(s.stored), RawBytes: int64(s.raw), ChecksumOK: hasher.Sum64() == s.sum,
		}
		fi.ChecksumsOK = fi.ChecksumsOK && si.ChecksumOK
		fi.Details = fi.Details || (s.kind == secDetails || s.kind == secRegionDetails) && s.raw > 0
		fi.Bytes += si.StoredBytes
		fi.Sections = append(fi.Sections, si)
	}
	var one [1]byte
	if k, _ := io.ReadFull(r, one[:]); k != 0 {
		return nil, fmt.Errorf("%w: trailing data", ErrCorrupt)
	}
	return fi, nil
}
