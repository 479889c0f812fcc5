package index

import "errors"

// Errors returned by this package. They are wrapped with context; test for
// them with errors.Is.
var (
	// ErrDuplicateID is returned by Builder.Add for an ID already added.
	ErrDuplicateID = errors.New("index: duplicate ID")
	// ErrInvalidEntry is returned by Builder.Add for an entry that cannot
	// be stored: an empty or oversized ID, oversized metadata, or a
	// quality above 100.
	ErrInvalidEntry = errors.New("index: invalid entry")
	// ErrTooLarge is returned when an index would exceed MaxEntries.
	ErrTooLarge = errors.New("index: too many entries")
	// ErrBadMagic means the input is not an index file.
	ErrBadMagic = errors.New("index: not an index file (bad magic)")
	// ErrVersion means the file uses a format version this package does
	// not read.
	ErrVersion = errors.New("index: unsupported format version")
	// ErrChecksum means a section's or the header's checksum does not
	// match its contents.
	ErrChecksum = errors.New("index: checksum mismatch")
	// ErrTruncated means the file ends before the header says it should.
	ErrTruncated = errors.New("index: truncated file")
	// ErrCorrupt means the file is structurally invalid: impossible
	// counts, lengths or codes, or trailing data.
	ErrCorrupt = errors.New("index: corrupt file")
	// ErrAlgorithm means the file was built for a different fingerprint
	// algorithm than the reader expects (see WithAlgorithm).
	ErrAlgorithm = errors.New("index: fingerprint algorithm mismatch")
)
