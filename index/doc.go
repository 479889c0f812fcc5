// Package index stores reference fingerprints and finds the ones near a
// query.
//
// A publisher builds an index of its pages with a Builder and ships the
// file; a proxy loads it with Open or Read and calls Lookup for every image
// it fingerprints. A CDN that carries several publishers combines their
// files with Merge.
//
// # Search
//
// Lookup and Search are exact: every entry within the Hamming radius is
// returned, never an approximation. They use multi-index hashing (Norouzi,
// Punjani and Fleet, CVPR 2012): the 256-bit hash is split into m
// substrings of about log2(n) bits, one table per substring. Table 0 is the
// hash-sorted entry array itself, so it costs no memory. By the general
// pigeonhole principle, if the per-table radii t_i satisfy
// sum(t_i+1) > r, an entry within distance r of the query lies within t_i
// of it in at least one substring i. For each radius a small cost model
// chooses the t_i (or a linear scan, when that is cheaper: tiny indexes,
// huge radii).
//
// The searches of one query run in passes over each table (collect the
// probed buckets, touch them, scan them, touch the candidates, verify
// them) so that the processor keeps many cache misses in flight: nearly
// all the time goes into reads at random places of arrays far larger than
// the caches.
//
// # Regions
//
// An entry may also carry the hashes of the top and bottom halves of its
// page's content box (Entry.Regions, from fingerprint.WithRegions): a logo
// pasted over one half leaves the other half's hash near. Each region kind
// is a view of its own, searched like the pages (sorted hashes, their own
// tables), holding only the regions that can match. Lookup compares a
// query's half variants with the view of their kind; the match still
// names the page. An index with regions (Index.Regions) is written as
// format version 2 and needs about three times the memory of one without.
//
// # Detail hashes
//
// Two different pages of one composition (a close-up face filling the same
// panel) come nearer by the hash than any other pair of different pages,
// and at millions of pages the tail of such pairs sets the false-match
// rate. Their finer frequencies differ. An entry
// may therefore store, per view, a detail hash (Entry.Detail,
// Region.Detail, from fingerprint.Variant.Detail: finer frequencies of the
// same thumbnail; index.NewEntry keeps them). The detail is never searched:
// Lookup finds candidates by the hash as before, then keeps a variant's hit
// only if the detail hashes confirm it (fingerprint.DetailMatch at the
// detail threshold, fingerprint.DefaultDetailThreshold unless
// WithDetailThreshold says otherwise; WithoutDetailCheck disables it).
// A view or query without a detail (zero, such as every view of a file of
// format version 1 or 2; see Index.Details) is not checked. An index with
// details is written as format version 3 and holds 32 more bytes per
// stored view, in memory and on disk.
//
// # Memory
//
// A loaded index keeps each hash as 32 raw bytes for fast verification,
// one quality byte, 4 bytes per entry for each of the m-1 posting tables
// plus about 1 byte of directory per table, and dictionary-coded IDs (an
// ID is split at its last '/' into a directory and a base name; each part
// is a code into a sorted, front-coded dictionary; about 3 bytes per entry
// for IDs such as publisher-03/series-0042/vol-07/p-0123.jpg), and 32
// bytes per view for the detail hashes if stored. IDs and metadata are
// decoded only for entries that match. At 10 million entries (m = 11)
// that is about 86 bytes per entry without details (118 with), and about
// 254 with regions (each half kind adds its hashes, a 4-byte entry number
// and its own tables; 350 with details).
//
// # Allocation
//
// Lookup and Search allocate only for what they return: the result slice
// (Lookup; Search appends to the caller's), and per match its ID string
// and, when the entry has metadata, its Meta. Working buffers are pooled
// per Index. Loading allocates about the file size in transient buffers
// plus the index itself, never more than the input's length justifies.
//
// # File format
//
// See format.go. In short: a magic number, a version, a header with the
// fingerprint algorithm, its threshold, the entry count and the creation
// time, then checksummed (xxh3) sections: the sorted hashes in Elias-Fano
// form (close to their entropy), the qualities, the ID and metadata
// dictionaries and the per-entry codes, zstd-compressed where that pays,
// then the regions' hashes and qualities (version 2) and the detail hashes
// (version 3), raw. A reader reads every earlier version.
// Entries are stored in hash order, so IDs need no permutation.
//
// # Concurrency
//
// An Index is immutable once loaded and safe for concurrent use by any
// number of goroutines. A Builder is not safe for concurrent use.
package index
