//! BM25 over weighted fields (BM25F-style: each field's term counts are weighted, then one
//! saturation over the weighted count, with length normalisation over the weighted length).

use std::collections::HashMap;

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// A BM25 index over a fixed set of documents, numbered in the order given to [`Index::build`];
/// rebuilt, never updated.
#[derive(Debug, Default)]
pub struct Index {
    /// term -> postings (document, weighted term frequency)
    postings: HashMap<String, Vec<(u32, f32)>>,
    lengths: Vec<f32>,
    average_length: f32,
}

impl Index {
    /// `docs[i]` is a list of (field weight, field terms).
    pub fn build(docs: &[Vec<(f32, Vec<String>)>]) -> Self {
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        let mut lengths = Vec::with_capacity(docs.len());
        for (i, fields) in docs.iter().enumerate() {
            let mut tf: HashMap<&str, f32> = HashMap::new();
            let mut length = 0.0;
            for (weight, terms) in fields {
                for t in terms {
                    *tf.entry(t).or_default() += weight;
                }
                length += weight * terms.len() as f32;
            }
            lengths.push(length);
            for (term, f) in tf {
                postings.entry(term.to_string()).or_default().push((i as u32, f));
            }
        }
        let average_length = if lengths.is_empty() { 1.0 } else { lengths.iter().sum::<f32>() / lengths.len() as f32 };
        Self { postings, lengths, average_length: average_length.max(1.0) }
    }

    /// The number of documents indexed.
    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    /// Whether no document was indexed (every score list is then empty).
    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// The documents that hold `term`.
    pub fn documents_with(&self, term: &str) -> impl Iterator<Item = usize> + '_ {
        self.postings.get(term).into_iter().flatten().map(|&(doc, _)| doc as usize)
    }

    fn idf(&self, df: usize) -> f32 {
        let n = self.lengths.len() as f32;
        ((n - df as f32 + 0.5) / (df as f32 + 0.5) + 1.0).ln()
    }

    /// A score per document for the query terms (repeated query terms count once).
    pub fn scores(&self, query: &[String]) -> Vec<f32> {
        let mut scores = vec![0.0; self.lengths.len()];
        let mut seen: Vec<&str> = Vec::with_capacity(query.len());
        for term in query {
            if seen.contains(&term.as_str()) {
                continue;
            }
            seen.push(term);
            let Some(list) = self.postings.get(term) else { continue };
            let idf = self.idf(list.len());
            for &(doc, f) in list {
                let norm = K1 * (1.0 - B + B * self.lengths[doc as usize] / self.average_length);
                scores[doc as usize] += idf * f * (K1 + 1.0) / (f + norm);
            }
        }
        scores
    }

    /// The best score a document could get for these query terms if it matched all of them with a
    /// typical field weight: used to put scores on a 0..1 scale that means the same across queries.
    pub fn ideal(&self, query: &[String]) -> f32 {
        let mut seen: Vec<&str> = Vec::new();
        let mut total = 0.0;
        for term in query {
            if seen.contains(&term.as_str()) {
                continue;
            }
            seen.push(term);
            // Unknown terms count as rare: asking about something the KB never mentions lowers
            // every entry's share.
            let df = self.postings.get(term).map_or(0, Vec::len).max(1);
            let f = 1.0;
            total += self.idf(df) * f * (K1 + 1.0) / (f + K1);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn rarer_terms_weigh_more_and_fields_weigh_as_told() {
        let docs = vec![
            vec![(1.0, terms("backup encrypt daily")), (0.3, terms("aws"))],
            vec![(1.0, terms("backup restore test")), (0.3, terms("aws"))],
            vec![(1.0, terms("pentest annual")), (0.3, terms("aws restore"))],
        ];
        let index = Index::build(&docs);
        let s = index.scores(&terms("restore test"));
        assert!(s[1] > s[2] && s[2] > s[0]);
        let s = index.scores(&terms("encrypt"));
        assert!(s[0] > 0.0 && s[1] == 0.0);
        assert!(index.ideal(&terms("encrypt")) > 0.0);
    }
}
