//! Gzip for a cached page whose only per-response difference is its CSP nonce, without
//! compressing on every response.
//!
//! The page is stored split at its nonce. Each piece is deflated once, on its own, ending in a
//! full flush (byte-aligned, no reference to anything before it); a response is those pieces with
//! the nonce between them as stored (uncompressed) deflate blocks, in one gzip member whose CRC-32
//! is combined from the pieces' and the nonce's. The result is one ordinary gzip stream (RFC 1952
//! over RFC 1951), which every client inflates as usual. Compressing each piece on its own costs a
//! little size at the seams (a few hundred bytes on the public page); compressing per response cost
//! about a millisecond of CPU each.
//!
//! Written by hand: the crates we know (flate2, async-compression) compress whole streams; none
//! splices pre-compressed pieces.

use bytes::Bytes;
use crc32fast::Hasher;
use flate2::{Compress, Compression, FlushCompress, Status};

/// The ten-byte gzip header: deflate, no flags, no time, no extra flags, unknown OS.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

/// A page's pieces, each deflated on its own, with what the trailer needs.
#[derive(Debug)]
pub struct SplicedGzip {
    /// Deflated pieces; all but the last end in a full flush, the last in the final block.
    deflated: Vec<Bytes>,
    /// Each piece's CRC-32 state (the running CRC of the uncompressed piece and its length).
    crcs: Vec<Hasher>,
    /// Uncompressed length of all pieces together.
    pieces_len: u64,
}

impl SplicedGzip {
    /// Deflates each of `pieces` (the page split at its nonce) at the best level; `None` if the
    /// compressor fails (the page is then compressed per response instead).
    pub fn new(pieces: &[Bytes]) -> Option<Self> {
        let last = pieces.len().saturating_sub(1);
        let deflated = pieces
            .iter()
            .enumerate()
            .map(|(i, piece)| deflate(piece, if i == last { FlushCompress::Finish } else { FlushCompress::Full }))
            .collect::<Option<Vec<Bytes>>>()?;
        let crcs = pieces
            .iter()
            .map(|piece| {
                let mut h = Hasher::new();
                h.update(piece);
                h
            })
            .collect();
        Some(Self { deflated, crcs, pieces_len: pieces.iter().map(|p| p.len() as u64).sum() })
    }

    /// The size of the deflated pieces (the stream is this plus a few bytes per nonce).
    pub fn deflated_len(&self) -> usize {
        self.deflated.iter().map(Bytes::len).sum()
    }

    /// The gzip stream of the pieces joined by `nonce`, as chunks to send in order (no copy of
    /// the pieces). `nonce` must be shorter than 64 KiB (it is 22 characters).
    pub fn with_nonce(&self, nonce: &[u8]) -> Vec<Bytes> {
        let mut chunks = Vec::with_capacity(2 * self.deflated.len() + 2);
        chunks.push(Bytes::from_static(&HEADER));
        let mut nonce_block = Vec::with_capacity(5 + nonce.len());
        let len = nonce.len() as u16;
        // A stored block, not the last: BFINAL 0, BTYPE 00, then LEN and its complement.
        nonce_block.push(0);
        nonce_block.extend_from_slice(&len.to_le_bytes());
        nonce_block.extend_from_slice(&(!len).to_le_bytes());
        nonce_block.extend_from_slice(nonce);
        let nonce_block = Bytes::from(nonce_block);
        let mut nonce_crc = Hasher::new();
        nonce_crc.update(nonce);
        let mut crc = Hasher::new();
        for (i, (piece, piece_crc)) in self.deflated.iter().zip(&self.crcs).enumerate() {
            if i > 0 {
                chunks.push(nonce_block.clone());
                crc.combine(&nonce_crc);
            }
            chunks.push(piece.clone());
            crc.combine(piece_crc);
        }
        let total = self.pieces_len + (nonce.len() * self.deflated.len().saturating_sub(1)) as u64;
        let mut trailer = Vec::with_capacity(8);
        trailer.extend_from_slice(&crc.finalize().to_le_bytes());
        trailer.extend_from_slice(&(total as u32).to_le_bytes());
        chunks.push(Bytes::from(trailer));
        chunks
    }
}

/// Raw deflate of `input` ending with `flush` (a full flush, or the final block); `None` if the
/// compressor reports an error (never a truncated stream).
fn deflate(input: &[u8], flush: FlushCompress) -> Option<Bytes> {
    let mut compress = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(input.len() / 2 + 64);
    loop {
        let consumed = compress.total_in() as usize;
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(1024));
        }
        let status = compress.compress_vec(&input[consumed..], &mut out, flush).ok()?;
        let done_input = compress.total_in() as usize == input.len();
        let spare = out.capacity() - out.len();
        match (status, flush) {
            (Status::StreamEnd, _) => break,
            // A full flush is complete once all input is in and the output was not full.
            (_, FlushCompress::Full) if done_input && spare > 0 => break,
            _ => {}
        }
    }
    Some(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(chunks: &[Bytes]) -> Vec<u8> {
        let joined: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&joined[..]).read_to_end(&mut out).expect("a valid gzip stream");
        out
    }

    #[test]
    fn the_spliced_stream_inflates_to_the_page_with_this_nonce() {
        let body = "<section><h2>Controls</h2><p>Access is reviewed quarterly.</p></section>".repeat(400);
        let page = format!("<html><style nonce=\"N\">b{{}}</style>{body}<script nonce=\"N\">a()</script>{body}</html>");
        let pieces: Vec<Bytes> = page.split('N').map(|p| Bytes::copy_from_slice(p.as_bytes())).collect();
        let gzip = SplicedGzip::new(&pieces).unwrap();
        for nonce in ["Zm9vYmFyYmF6cXV4cXV1eA", "another-nonce-of-22-ch"] {
            let chunks = gzip.with_nonce(nonce.as_bytes());
            assert_eq!(gunzip(&chunks), page.replace('N', nonce).into_bytes());
            let size: usize = chunks.iter().map(Bytes::len).sum();
            assert!(size < page.len() / 20, "compressed: {size} of {}", page.len());
        }
    }

    #[test]
    fn many_short_pieces_are_reported_as_not_worth_it() {
        let page = "<i nonce=\"N\">x</i>".repeat(1000);
        let pieces: Vec<Bytes> = page.split('N').map(|p| Bytes::copy_from_slice(p.as_bytes())).collect();
        let gzip = SplicedGzip::new(&pieces).unwrap();
        assert!(gzip.deflated_len() * 2 >= page.len(), "each piece deflated alone costs its seams");
        assert_eq!(gunzip(&gzip.with_nonce(b"n")), page.replace('N', "n").into_bytes(), "yet it is still correct");
    }

    #[test]
    fn pages_without_a_nonce_or_with_empty_pieces_splice_too() {
        for page in ["", "no nonce here", "N", "NN", "Nstart", "endN", "aNNb"] {
            let pieces: Vec<Bytes> = page.split('N').map(|p| Bytes::copy_from_slice(p.as_bytes())).collect();
            let chunks = SplicedGzip::new(&pieces).unwrap().with_nonce(b"xyz");
            assert_eq!(gunzip(&chunks), page.replace('N', "xyz").into_bytes(), "{page:?}");
        }
    }

    #[test]
    fn a_large_incompressible_piece_is_deflated_whole() {
        let noise: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let pieces = vec![Bytes::from(noise.clone()), Bytes::from_static(b"tail")];
        let chunks = SplicedGzip::new(&pieces).unwrap().with_nonce(b"n");
        let mut expected = noise;
        expected.extend_from_slice(b"ntail");
        assert_eq!(gunzip(&chunks), expected);
    }
}
