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
        let mut rng = s.seed | 1;
        for _ in 0..s.epochs {
            for i in (1..order.len()).rev() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                order.swap(i, (rng % (i as u64 + 1)) as usize);
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
