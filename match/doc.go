// Package match gives verdicts on images flowing through Go HTTP proxies,
// caches and servers: it fingerprints each image response, looks it up in
// a pagematch index and applies a policy.
//
// A Matcher holds the index (swapped atomically by Reload, WatchFile or
// WatchURL), a verdict cache and a policy. It plugs in three ways, each a
// line or two:
//
//	proxy.ModifyResponse = m.ModifyResponse          // httputil.ReverseProxy
//	handler = m.Middleware(handler)                  // any http.Handler
//	client.Transport = m.Transport(client.Transport) // forward proxy, cache filler
//
// and Check gives a verdict on bytes already in memory. A ReverseProxy
// given proxy.BufferPool = NewBufferPool(ProxyBufferSize) serves cache
// hits more cheaply (see below).
//
// When the index stores the pages' halves (index.Index.Regions, the
// default of pagematch index build), the Matcher hashes the halves of each
// image too (fingerprint.WithRegions), so that a copy with a logo over one
// half matches through the other; that costs about 5% more time per
// first-seen image.
//
// # Policies
//
// LogOnly (the default) changes nothing: verdicts go to the metrics, the
// slog logger and the WithOnVerdict hook. AddHeader adds
//
//	Pagematch-Verdict: match; id="series-1/p-002.jpg"; distance=12
//
// to matching responses. Block replaces them with 451 Unavailable For
// Legal Reasons (RFC 7725), with Link: <url>; rel="blocked-by" when the
// matched entry's metadata has a MetaRightsURL ("rights_url") value. A
// replaced response keeps none of the upstream's headers and carries
// Cache-Control: no-store, since the next index may decide otherwise.
//
// When no verdict can be reached (a corrupt image, the time budget
// exceeded, no capacity, a body too large to hold) the response passes
// unchanged: pagematch fails open. WithFailClosed makes the Block policy
// refuse such responses with 503 Service Unavailable instead.
//
// # Which responses are inspected
//
// Only 200 responses to requests other than HEAD, with Content-Type
// image/jpeg, image/png, image/gif or image/webp and no Content-Encoding
// (other than identity) are inspected; pagematch does not decompress. The
// middleware decides on the type net/http would sniff when the handler
// sets none. Every other response passes through untouched, its body
// neither read nor copied (the middleware hands io.ReaderFrom to the
// underlying writer, keeping sendfile). Since browsers display images
// whatever their declared type, WithSniff also inspects responses whose
// first bytes are an image's, at the price of peeking at every 200
// response.
//
// # Streaming and blocking
//
// Under LogOnly nothing waits for a verdict: every inspected body streams
// to the client as it arrives, untouched, while its key is hashed block
// by block. A body that may need a fingerprint is copied (up to the
// inspection cap, WithMaxBytes); when it ends, its verdict comes from the
// cache, on the goroutine reading the body, and on a miss the copy is
// fingerprinted in the background. A body whose first 4 KiB block and
// declared length are those of a body whose verdict is cached is
// predicted to be that body and not copied: it is hashed as it passes.
// If its key then misses the cache after all (a body that shares its
// first block and its length with another and differs later), there is
// nothing to fingerprint: it gets no verdict
// (pagematch_cache_mispredictions_total counts it), its prefix is marked
// ambiguous, and its next request is copied and gets the verdict, one
// request late. These verdicts are Deferred. A body closed before its
// end, or ending short of its declared length, gets none.
//
// ModifyResponse and Transport read the first block of a body of
// declared length into the reader's buffer, then read the rest ahead:
// into its copy, each read asking the upstream for the rest of the body,
// or, when it is predicted and not copied, into a 128 KiB window used
// again once served; the reader is served from there. That takes fewer
// system calls than the reader's own buffer would (ReverseProxy reads
// 32 KB at a time), which pays for serving from a second buffer. A
// reader whose buffer holds at least 64 KiB, such as a ReverseProxy given
// NewBufferPool(ProxyBufferSize), already reads in large pieces: the
// upstream is read straight into its buffer and the body copied or hashed
// there, which saves serving from a second buffer (about 10 µs of CPU per
// cached 327 KB image at 8 clients in benchmarks/cmd/proxybench). The
// body handed back is one allocation (its buffer comes from a pool and
// is returned once the body has been read or closed); a cache hit
// allocates nothing else. Like any response body, it is read and closed
// by one goroutine at a time. The middleware, and a body of unknown
// length, hash and copy what passes through the writer's or reader's own
// buffer.
//
// Under AddHeader and Block, bodies up to the hold limit (WithHoldBytes,
// default 4 MiB) are held back, fingerprinted and decided before their
// first byte reaches the client, so a block never leaks a partial image.
// The client receives exactly the upstream's bytes, only later by the
// time to read the body and fingerprint it (nothing on a cache hit but
// hashing the body for its key).
//
// Under those policies, bodies over the hold limit and up to the
// inspection cap (WithMaxBytes, default 16 MiB) stream to the client as they arrive while a copy is
// kept; once complete, the copy is fingerprinted in the background. The
// verdict cannot stop that response: it is recorded for the object and
// applies from the next request for it. Bodies over the cap stream
// untouched and uncopied with the verdict KindTooLarge. A body of unknown
// length is held until it ends or passes the hold limit; the held prefix
// is then sent and the rest streams as above. Under WithFailClosed every
// body over the hold limit is refused unless a match is recorded for it,
// so set the hold limit to the largest image that must be allowed.
//
// An object is the request URL with the response's ETag or, without one,
// its full length and Last-Modified. A match is recorded for the object
// whenever a full body matches; a body that does not match clears it.
//
// A held body that ends early (the upstream connection breaks, the
// handler panics) is not fingerprinted: the client gets what arrived and
// then the same failure it would have seen without pagematch; under
// WithFailClosed it gets 503 instead. The middleware holds the header as
// it was when the status was written, like net/http, and ignores Flush
// while it holds a body.
//
// # Range, conditional and HEAD requests
//
// A 206 Partial Content response carries a fragment, which cannot be
// fingerprinted; a 304 Not Modified response and a HEAD response carry no
// body. They are never fingerprinted, but a match recorded for the same
// object applies to them: Block turns them into 451 (so that a range
// request cannot fetch a blocked image piecewise) and AddHeader adds the
// header. Without a recorded match they pass untouched. For a 206 the
// object's length is the total of its Content-Range; a 304 without an
// ETag cannot be tied to an object and always passes.
//
// # Verdict cache
//
// Verdicts are cached by a 64-bit key of the body's content: the xxh3
// hash of each 4 KiB block, folded in order (the first block's hash, then
// for each further block xxh3 of its hash seeded with the key so far); a
// body of at most 4 KiB keys as its plain xxh3 hash. The blocks are
// fixed, so the key depends on the bytes alone, never on how they
// arrived, and a streaming body is hashed as it passes. The cache is a
// sharded LRU
// bounded by entry count (WithCacheEntries, default 65536; 16 shards, each
// an exact LRU). Matches recorded for objects share the cache. Entries
// carry the index generation they were made with and read as misses after
// a Reload. Timeouts and lack of capacity are not cached.
//
// # Time budget and capacity
//
// A response waits at most the time budget (WithBudget, default 100 ms)
// for its fingerprint; on timeout it passes (or is refused, fail-closed)
// with KindTimeout while the fingerprint finishes in the background and
// caches its verdict. At most WithConcurrency fingerprints run at once
// (default GOMAXPROCS); a response that finds no free slot within its
// budget gets KindBusy. Concurrent requests for the same new body share
// one fingerprint. The bytes held by all responses in flight are bounded
// by WithMaxHeldBytes (default 256 MiB); a response that would pass it
// streams uninspected with KindBusy.
//
// # Hot reload
//
// Reload swaps the index with one atomic store; requests in flight finish
// with the index they started with and none is dropped. WatchFile polls a
// file's modification time and size; WatchURL polls a URL with
// If-None-Match. Failed loads keep the current index and count as reload
// errors.
//
// # Metrics and logs
//
// With WithRegisterer, the Matcher registers (never on the global
// registry):
//
//	pagematch_responses_inspected_total       image responses selected
//	pagematch_responses_skipped_total{reason} method, status, encoding, type
//	pagematch_verdicts_total{kind}            nomatch, match, lowquality, toolarge, error, timeout, busy
//	pagematch_actions_total{action}           none, header, block, failclosed
//	pagematch_fingerprint_seconds             histogram, cache misses only
//	pagematch_cache_hits_total, pagematch_cache_misses_total, pagematch_cache_entries
//	pagematch_cache_mispredictions_total      bodies not copied whose key missed the cache
//	pagematch_index_entries, pagematch_index_generation
//	pagematch_reloads_total, pagematch_reload_errors_total
//	pagematch_held_bytes
//
// Logs go to the WithLogger slog.Logger (default: discarded): matches at
// Info, timeouts, lack of capacity and reload failures at Warn, other
// verdicts at Debug.
package match
