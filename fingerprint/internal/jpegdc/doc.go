// Package jpegdc decodes the 1/8-scale luma thumbnail of a JPEG image: one
// pixel per 8×8 luma block, taken from the block's DC coefficient alone.
//
// A perceptual hash needs only a small greyscale picture of the page, and the
// DC coefficient of a block is its mean (times 8, after dequantisation). So the
// decoder never dequantises AC coefficients, never runs an IDCT, never
// upsamples or converts colour: it entropy-decodes DC values and skips AC
// coefficients by their code and magnitude lengths, one table lookup for one
// or more coefficients, and decodes a blank block (a DC difference and an end
// of block, or two such blocks of difference 0) in one lookup. Chroma blocks
// of interleaved scans are skipped the same way. For progressive files only the DC scans of the luma component are
// decoded; other scans are passed over by searching for the next marker.
//
// Supported: baseline and extended sequential Huffman (SOF0, SOF1) and
// progressive Huffman (SOF2), 8-bit samples, greyscale or YCbCr with any
// sampling factors up to 4, restart intervals, interleaved and
// non-interleaved scans, 8- and 16-bit quantisation tables, and tables
// redefined between scans. Everything else (CMYK and other 4-component files,
// RGB-coded files, 12-bit samples, arithmetic coding, lossless and
// hierarchical modes, DNL) yields ErrUnsupported, so that the caller can fall
// back to a full decoder such as image/jpeg.
//
// Truncated or corrupt data is an error (wrapping ErrFormat) and no image is
// returned: the decoder does not guess at missing blocks or at missing
// refinement bits. Data after the point where the luma DC is complete is
// never read, so a file cut short after it (a missing EOI; a progressive
// file cut after its luma DC scans) decodes in full.
//
// The EXIF orientation (APP1 "Exif", IFD0 tag 0x0112) is reported in Config
// but not applied.
package jpegdc
