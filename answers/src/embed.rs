//! Sentence embeddings with all-MiniLM-L6-v2 on the CPU (candle): token embeddings mean-pooled and
//! L2-normalised, as sentence-transformers does. Loaded from a local directory only; nothing is
//! ever downloaded at run time.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use std::path::Path;
use tokenizers::{Tokenizer, TruncationParams};

/// Inputs are cut at this many tokens: questions are short, and attention cost grows with length.
const MAX_TOKENS: usize = 128;
/// Sequences per forward pass.
const BATCH: usize = 16;

/// The local sentence-embedding model with its tokenizer, on the CPU; loaded once and shared.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
}

/// Why the model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("model file {0}: {1}")]
    File(String, std::io::Error),
    #[error("model config: {0}")]
    Config(#[from] serde_json::Error),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("model: {0}")]
    Model(#[from] candle_core::Error),
}

impl Embedder {
    /// Loads `config.json`, `model.safetensors` and `tokenizer.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        let read = |name: &str| {
            std::fs::read(dir.join(name)).map_err(|e| EmbedError::File(dir.join(name).display().to_string(), e))
        };
        let config: Config = serde_json::from_slice(&read("config.json")?)?;
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(read("model.safetensors")?, DType::F32, &device)?;
        let model = BertModel::load(vb, &config)?;
        let mut tokenizer =
            Tokenizer::from_bytes(read("tokenizer.json")?).map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        // Sequences of one length are batched together, so no padding is ever needed.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..Default::default() }))
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        Ok(Self { model, tokenizer, device })
    }

    /// Whether `word` (lower case) is one token of the model's vocabulary: a word of English
    /// (or a common name) rather than something the tokenizer has to spell out in pieces.
    pub fn knows(&self, word: &str) -> bool {
        self.tokenizer.token_to_id(word).is_some()
    }

    /// One unit vector (384 floats) per text, in input order. Work is split over the machine's
    /// cores by batch (the matrix kernels only thread large products; ours are small).
    pub fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        if workers < 2 || texts.len() < 8 {
            return self.embed_serial(texts);
        }
        // Interleave so each worker gets a similar mix of lengths.
        let parts: Vec<Vec<usize>> = (0..workers).map(|w| (w..texts.len()).step_by(workers).collect()).collect();
        let results: Vec<Result<Vec<Vec<f32>>, EmbedError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .map(|idx| {
                    let part: Vec<String> = idx.iter().map(|&i| texts[i].clone()).collect();
                    scope.spawn(move || self.embed_serial(&part))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(EmbedError::Tokenizer("worker panicked".into()))))
                .collect()
        });
        let mut out = vec![Vec::new(); texts.len()];
        for (idx, result) in parts.iter().zip(results) {
            for (&i, v) in idx.iter().zip(result?) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    fn embed_serial(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.iter().map(String::as_str).collect::<Vec<_>>(), true)
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        // Sorted by length and cut into batches, each padded to its longest row: the padding is
        // a token or two, and large batches keep the matrix kernels busy (each product re-packs
        // the weights, which small batches cannot amortise).
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| encodings[i].get_ids().len());
        let mut out = vec![Vec::new(); texts.len()];
        for batch in order.chunks(BATCH) {
            let width = batch.iter().map(|&i| encodings[i].get_ids().len()).max().unwrap_or(0);
            if width == 0 {
                continue;
            }
            let mut ids = Vec::with_capacity(batch.len() * width);
            let mut mask = Vec::with_capacity(batch.len() * width);
            for &i in batch {
                let row = encodings[i].get_ids();
                ids.extend_from_slice(row);
                ids.extend(std::iter::repeat_n(0u32, width - row.len()));
                mask.extend(std::iter::repeat_n(1u32, row.len()));
                mask.extend(std::iter::repeat_n(0u32, width - row.len()));
            }
            let ids = Tensor::from_vec(ids, (batch.len(), width), &self.device)?;
            let mask = Tensor::from_vec(mask, (batch.len(), width), &self.device)?;
            let types = ids.zeros_like()?;
            let hidden = self.model.forward(&ids, &types, Some(&mask))?;
            // Mean over the real tokens only.
            let weights = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&weights)?.sum(1)?;
            let counts = weights.sum(1)?;
            let pooled = summed.broadcast_div(&counts)?;
            let norms = pooled.sqr()?.sum_keepdim(1)?.sqrt()?;
            let unit = pooled.broadcast_div(&norms)?;
            for (row, vector) in batch.iter().zip(unit.to_vec2::<f32>()?) {
                out[*row] = vector;
            }
        }
        Ok(out)
    }
}

/// Dot product of two unit vectors: their cosine similarity. Summed in eight lanes, which the
/// compiler turns into vector instructions (a single running sum must be added in order, which
/// it cannot): the engine computes hundreds of thousands of these per questionnaire.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0f32; LANES];
    let (chunks_a, chunks_b) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = chunks_a.remainder().iter().zip(chunks_b.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in chunks_a.zip(chunks_b) {
        for k in 0..LANES {
            lanes[k] += x[k] * y[k];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    #[test]
    fn cosine_is_the_dot_product_at_any_length() {
        for n in [0, 1, 7, 8, 9, 384] {
            let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
            let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((super::cosine(&a, &b) - plain).abs() < 1e-4, "{n}");
        }
    }
}
