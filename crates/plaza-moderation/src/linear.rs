//! A multi-label logistic regression over sparse hashed features, trained with AdaGrad.
//! Training is deterministic: examples are shuffled with a seeded xorshift generator. A label
//! may be unknown for an example (its dataset does not annotate it); such pairs are skipped.

use crate::features::Sparse;

/// A trained model: one weight vector and bias per label.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub dims: u32,
    pub labels: Vec<String>,
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
    /// Per label, the scale of weights read from a model file, which are i8 values times the
    /// scale (`weights` holds the products); `None` for a model just trained.
    pub scales: Option<Vec<f32>>,
}

/// The weights interleaved by feature (`[feature][label]`), so scoring every label reads one
/// cache line per feature instead of one per feature and label. A model read from a file keeps
/// its i8 values (a quarter of the memory, so more of it stays in cache); scoring multiplies
/// each by its label's scale, which gives the same f32 weights as `Linear::weights`.
#[derive(Debug, Clone, Default)]
pub enum Packed {
    #[default]
    Empty,
    F32(Vec<f32>),
    I8 {
        q: Vec<i8>,
        scales: Vec<f32>,
    },
}

/// One training example: features and, per label, true, false or unknown.
#[derive(Debug, Clone)]
pub struct Example {
    pub x: Sparse,
    pub y: Vec<Option<bool>>,
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    pub seed: u64,
    /// Weight of positive examples relative to negatives, per label, is (negatives/positives)
    /// raised to this power (0: no balancing, 1: full balancing).
    pub balance: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            epochs: 6,
            learning_rate: 0.5,
            l2: 1e-6,
            seed: 0x5eed,
            balance: 0.5,
        }
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl Linear {
    /// Trains a model.
    pub fn train(dims: u32, labels: &[&str], data: &[Example], s: Settings) -> Linear {
        let k = labels.len();
        let mut w = vec![vec![0.0f32; dims as usize]; k];
        let mut g2 = vec![vec![1e-8f32; dims as usize]; k];
        let mut b = vec![0.0f32; k];
        let mut gb = vec![1e-8f32; k];
        let mut pos_weight = vec![1.0f32; k];
        for (l, pw) in pos_weight.iter_mut().enumerate() {
            let pos = data
                .iter()
                .filter(|e| e.y.get(l) == Some(&Some(true)))
                .count()
                .max(1);
            let neg = data
                .iter()
                .filter(|e| e.y.get(l) == Some(&Some(false)))
                .count()
                .max(1);
            *pw = (neg as f32 / pos as f32).powf(s.balance);
        }
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut rng = plaza_core::XorShift::new(s.seed);
        for _ in 0..s.epochs {
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            for &i in &order {
                let e = &data[i];
                for l in 0..k {
                    let Some(Some(y)) = e.y.get(l).copied() else {
                        continue;
                    };
                    let z = b[l] + e.x.iter().map(|(j, v)| w[l][*j as usize] * v).sum::<f32>();
                    let p = sigmoid(z);
                    let weight = if y { pos_weight[l] } else { 1.0 };
                    let g = (p - f32::from(u8::from(y))) * weight;
                    for (j, v) in &e.x {
                        let j = *j as usize;
                        let grad = g * v + s.l2 * w[l][j];
                        g2[l][j] += grad * grad;
                        w[l][j] -= s.learning_rate * grad / g2[l][j].sqrt();
                    }
                    gb[l] += g * g;
                    b[l] -= s.learning_rate * g / gb[l].sqrt();
                }
            }
        }
        Linear {
            dims,
            labels: labels.iter().map(|l| l.to_string()).collect(),
            weights: w,
            bias: b,
            scales: None,
        }
    }

    /// Probabilities per label.
    pub fn predict(&self, x: &Sparse) -> Vec<f32> {
        (0..self.labels.len())
            .map(|l| {
                sigmoid(
                    self.bias[l]
                        + x.iter()
                            .map(|(j, v)| {
                                self.weights[l].get(*j as usize).copied().unwrap_or(0.0) * v
                            })
                            .sum::<f32>(),
                )
            })
            .collect()
    }

    /// The weights interleaved by feature ([`Packed`]).
    pub fn packed(&self) -> Packed {
        let k = self.labels.len();
        let n = self.dims as usize * k;
        match &self.scales {
            Some(scales) => {
                let mut q = vec![0i8; n];
                for (l, (w, scale)) in self.weights.iter().zip(scales).enumerate() {
                    for (j, v) in w.iter().enumerate() {
                        // exact: each weight is an i8 value times the scale
                        q[j * k + l] = (v / scale).round() as i8;
                    }
                }
                Packed::I8 {
                    q,
                    scales: scales.clone(),
                }
            }
            None => {
                let mut out = vec![0.0f32; n];
                for (l, w) in self.weights.iter().enumerate() {
                    for (j, v) in w.iter().enumerate() {
                        out[j * k + l] = *v;
                    }
                }
                Packed::F32(out)
            }
        }
    }

    /// Every label's probability from interleaved weights ([`Linear::packed`]).
    pub fn scores_packed(&self, packed: &Packed, x: &Sparse) -> Vec<f32> {
        let k = self.labels.len();
        let mut z = self.bias.clone();
        match packed {
            Packed::Empty => {}
            Packed::F32(packed) => {
                for (j, v) in x {
                    let at = *j as usize * k;
                    if let Some(row) = packed.get(at..at + k) {
                        for (zl, w) in z.iter_mut().zip(row) {
                            *zl += w * v;
                        }
                    }
                }
            }
            Packed::I8 { q, scales } => {
                for (j, v) in x {
                    let at = *j as usize * k;
                    if let Some(row) = q.get(at..at + k) {
                        for ((zl, w), scale) in z.iter_mut().zip(row).zip(scales) {
                            *zl += f32::from(*w) * scale * v;
                        }
                    }
                }
            }
        }
        z.into_iter().map(sigmoid).collect()
    }

    /// The probability of one label.
    pub fn score(&self, label: usize, x: &Sparse) -> f32 {
        sigmoid(
            self.bias[label]
                + x.iter()
                    .map(|(j, v)| self.weights[label].get(*j as usize).copied().unwrap_or(0.0) * v)
                    .sum::<f32>(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Hasher;

    #[test]
    fn learns_a_separable_toy_task_and_is_deterministic() {
        let h = Hasher::new(12);
        let mut data = Vec::new();
        for i in 0..200 {
            let bad = i % 2 == 0;
            let text = if bad {
                format!("you are a stupid idiot number {i}")
            } else {
                format!("thank you for the update number {i}")
            };
            data.push(Example {
                x: h.features(&text),
                y: vec![Some(bad), None],
            });
        }
        let m = Linear::train(h.dims, &["insult", "unused"], &data, Settings::default());
        assert!(m.score(0, &h.features("what a stupid idiot")) > 0.8);
        assert!(m.score(0, &h.features("thank you for the park update")) < 0.2);
        // the unused label never moved
        assert!(m.weights[1].iter().all(|w| *w == 0.0));
        assert_eq!(
            m,
            Linear::train(h.dims, &["insult", "unused"], &data, Settings::default())
        );
    }
}

/// The model file: `PLZM` magic, format version 1, bucket count, labels, then per label a bias
/// (f32), a scale (f32) and the weights quantised to i8 (weight = q * scale), then the FNV-1a
/// of everything before it. Little-endian. About 1 byte per weight.
impl Linear {
    /// Serialises the model, quantising weights to i8.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.labels.len() * (self.dims as usize + 64));
        out.extend_from_slice(b"PLZM");
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&self.dims.to_le_bytes());
        out.extend_from_slice(&(self.labels.len() as u32).to_le_bytes());
        for (l, name) in self.labels.iter().enumerate() {
            out.extend_from_slice(&(name.len() as u32).to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            let max = self.weights[l].iter().fold(0.0f32, |m, w| m.max(w.abs()));
            let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
            out.extend_from_slice(&self.bias[l].to_le_bytes());
            out.extend_from_slice(&scale.to_le_bytes());
            out.extend(
                self.weights[l]
                    .iter()
                    .map(|w| (w / scale).round().clamp(-127.0, 127.0) as i8 as u8),
            );
        }
        let check = crate::detect::repeats::fnv1a(&out);
        out.extend_from_slice(&check.to_le_bytes());
        out
    }

    /// Reads a model file; an error names what is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<Linear, String> {
        if bytes.len() < 24 || &bytes[..4] != b"PLZM" {
            return Err("not a Plaza moderation model (bad magic)".into());
        }
        let (body, check) = bytes.split_at(bytes.len() - 8);
        let mut c = [0u8; 8];
        c.copy_from_slice(check);
        if crate::detect::repeats::fnv1a(body) != u64::from_le_bytes(c) {
            return Err("the model file is damaged (checksum mismatch)".into());
        }
        let mut at = 4;
        let u32_at = |at: &mut usize| -> Result<u32, String> {
            let b = body
                .get(*at..*at + 4)
                .ok_or("the model file is truncated")?;
            *at += 4;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let version = u32_at(&mut at)?;
        if version != 1 {
            return Err(format!(
                "model format {version} is not supported (this Plaza reads format 1)"
            ));
        }
        let dims = u32_at(&mut at)?;
        let k = u32_at(&mut at)? as usize;
        let (mut labels, mut weights, mut bias, mut scales) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..k {
            let n = u32_at(&mut at)? as usize;
            let name = body.get(at..at + n).ok_or("the model file is truncated")?;
            labels.push(String::from_utf8(name.to_vec()).map_err(|_| "a label is not UTF-8")?);
            at += n;
            let b = f32::from_bits(u32_at(&mut at)?);
            let scale = f32::from_bits(u32_at(&mut at)?);
            let q = body
                .get(at..at + dims as usize)
                .ok_or("the model file is truncated")?;
            at += dims as usize;
            weights.push(q.iter().map(|x| f32::from(*x as i8) * scale).collect());
            bias.push(b);
            scales.push(scale);
        }
        if at != body.len() {
            return Err("the model file has trailing bytes".into());
        }
        Ok(Linear {
            dims,
            labels,
            weights,
            bias,
            scales: Some(scales),
        })
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn round_trips_within_quantisation_and_rejects_damage() {
        let m = Linear {
            dims: 4,
            labels: vec!["a".into(), "bb".into()],
            weights: vec![vec![1.0, -0.5, 0.0, 0.25], vec![0.0; 4]],
            bias: vec![0.1, -2.0],
            scales: None,
        };
        let bytes = m.to_bytes();
        let back = Linear::from_bytes(&bytes).unwrap();
        assert_eq!(back.labels, m.labels);
        assert_eq!(back.bias, m.bias);
        // the packed i8 weights score exactly as the f32 weights read from the file
        let x = vec![(0, 0.5), (1, 0.5), (3, 0.5), (1, 0.5)];
        let from_file = back.packed();
        assert!(matches!(from_file, Packed::I8 { .. }));
        let as_f32 = Linear {
            scales: None,
            ..back.clone()
        }
        .packed();
        assert!(matches!(as_f32, Packed::F32(_)));
        assert_eq!(
            back.scores_packed(&from_file, &x),
            back.scores_packed(&as_f32, &x)
        );
        for (a, b) in back
            .scores_packed(&from_file, &x)
            .iter()
            .zip(back.predict(&x))
        {
            assert!((a - b).abs() < 1e-6);
        }
        for (a, b) in back.weights[0].iter().zip(&m.weights[0]) {
            assert!((a - b).abs() < 0.01);
        }
        let mut bad = bytes.clone();
        bad[20] ^= 1;
        assert!(Linear::from_bytes(&bad).unwrap_err().contains("checksum"));
        assert!(Linear::from_bytes(b"nope").is_err());
        assert!(Linear::from_bytes(&bytes[..bytes.len() - 3]).is_err());
    }
}
