//! The one loop of [`FusedMlp`](crate::FusedMlp)'s passes, specialised per width.

use multiversion::multiversion;

use crate::matmul::{MatRef, matmul};

/// `targets[t] = init + sum over k of coef(t, k) * rows[k]`, for every row `t` of `targets`,
/// with `k` ascending and `coef(t, k) = coefs[t * t_stride + k * k_stride]`. Rows are `width`
/// long; `init` is one row (zeros when absent).
///
/// The forward pass, the weight gradients and the back-propagated deltas are all this loop
/// with different operands. The order of the sums is fixed, so results do not depend on the
/// width's specialisation.
pub(crate) struct RowSums<'a> {
    pub(crate) init: Option<&'a [f32]>,
    pub(crate) coefs: &'a [f32],
    pub(crate) t_stride: usize,
    pub(crate) k_stride: usize,
    pub(crate) rows: &'a [f32],
    /// `rows` is stored transposed, `(width, k)` row-major: row `k` is column `k` of it. Only
    /// for widths that [`uses_gemm`], which reads it in place.
    pub(crate) rows_transposed: bool,
}

/// Whether a pass over rows of `width` goes through the matrix product.
pub(crate) fn uses_gemm(width: usize) -> bool {
    width >= GEMM_WIDTH
}

/// From this width on, a row of accumulators no longer fits in registers and a matrix
/// product (the `gemm` crate, dfdx's kernel: register tiling, AVX and FMA where the CPU has
/// them) is faster: 1.5x for a 2-128-128-1 network at batch 100 (`benches/README.md`).
const GEMM_WIDTH: usize = 64;

impl RowSums<'_> {
    /// Computes every row of `targets`. For the menu's widths the accumulator is a fixed-size
    /// array the compiler keeps in registers; other widths below [`GEMM_WIDTH`] two such
    /// arrays (`blocked`).
    pub(crate) fn write_to(&self, targets: &mut [f32], width: usize) {
        if uses_gemm(width) {
            return self.gemm(targets, width);
        }
        assert!(
            !self.rows_transposed,
            "only the matrix product reads transposed rows"
        );
        macro_rules! by_width {
            ($($n:literal),*) => {
                match width {
                    $($n => fixed::<$n>(self, targets),)*
                    _ => self.blocked(targets, width),
                }
            };
        }
        // The menu's widths, which also cover 1-5 inputs or outputs.
        with_menu_widths!(by_width)
    }

    fn coef(&self, t: usize, k: usize) -> f32 {
        self.coefs[t * self.t_stride + k * self.k_stride]
    }

    /// The same sums as one matrix product `coefs (t x k) . rows (k x width)`, read in place.
    /// Their order is gemm's, fixed for a given CPU.
    fn gemm(&self, targets: &mut [f32], width: usize) {
        let (t, k) = (targets.len() / width, self.rows.len() / width);
        let coefs = MatRef {
            data: self.coefs,
            rows: t,
            cols: k,
            row_stride: self.t_stride,
            col_stride: self.k_stride,
        };
        let (row_stride, col_stride) = if self.rows_transposed {
            (1, k)
        } else {
            (width, 1)
        };
        let rows = MatRef {
            data: self.rows,
            rows: k,
            cols: width,
            row_stride,
            col_stride,
        };
        matmul(targets, coefs, rows);
        if let Some(init) = self.init {
            for target in targets.chunks_exact_mut(width) {
                for (x, &b) in target.iter_mut().zip(init) {
                    *x += b;
                }
            }
        }
    }

    /// A width without a loop of its own (below [`GEMM_WIDTH`]): up to 7 columns, `fixed`;
    /// wider, two fixed-size accumulators in one pass over `k`, one
    /// on the first columns and one on the last, overlapping where they meet (a column both
    /// hold is the same sum, in the same order). Each sum is the same as in `fixed`.
    fn blocked(&self, targets: &mut [f32], width: usize) {
        match width {
            1 => fixed::<1>(self, targets),
            2 => fixed::<2>(self, targets),
            3 => fixed::<3>(self, targets),
            4 => fixed::<4>(self, targets),
            5 => fixed::<5>(self, targets),
            6 => fixed::<6>(self, targets),
            7 => fixed::<7>(self, targets),
            8..=16 => pair::<8, 8>(self, targets, width),
            17..=24 => pair::<16, 8>(self, targets, width),
            25..=32 => pair::<16, 16>(self, targets, width),
            33..=48 => pair::<32, 16>(self, targets, width),
            _ => {
                debug_assert!(width <= 2 * 32, "wider rows take gemm");
                pair::<32, 32>(self, targets, width)
            }
        }
    }
}

/// [`RowSums::write_to`] for rows of `width`, `width - B <= A <= width`: columns `0..A` in one
/// accumulator and `width - B..width` in another, both kept in registers, in one pass over
/// the terms. Compiled for AVX2 and the baseline like [`fixed`].
#[multiversion(targets("x86_64+avx2"))]
fn pair<const A: usize, const B: usize>(sums: &RowSums<'_>, targets: &mut [f32], width: usize) {
    let last = width - B;
    let first = |row: &[f32]| -> [f32; A] { *row.first_chunk::<A>().expect("A <= width") };
    let tail = |row: &[f32]| -> [f32; B] { *row.last_chunk::<B>().expect("B <= width") };
    let (init_a, init_b) = sums
        .init
        .map_or(([0.0; A], [0.0; B]), |row| (first(row), tail(row)));
    let terms = sums.rows.len() / width;
    for (t, target) in targets.chunks_exact_mut(width).enumerate() {
        let (mut a, mut b) = (init_a, init_b);
        let rows = sums.rows.chunks_exact(width);
        if sums.k_stride == 1 {
            let coefs = &sums.coefs[t * sums.t_stride..][..terms];
            for (row, &c) in rows.zip(coefs) {
                add_scaled(&mut a, c, &first(row));
                add_scaled(&mut b, c, &tail(row));
            }
        } else {
            for (k, row) in rows.enumerate() {
                let c = sums.coef(t, k);
                add_scaled(&mut a, c, &first(row));
                add_scaled(&mut b, c, &tail(row));
            }
        }
        target[last..].copy_from_slice(&b);
        target[..A].copy_from_slice(&a);
    }
}

/// [`RowSums::write_to`] for rows of `N`: the accumulator is an array the compiler keeps in
/// registers. Compiled twice, for AVX2 and for the baseline, and picked at run time by the CPU
/// (`multiversion`): 1.6x on the 20-wide sums of TP1. Both compute every sum in the same order,
/// so the results are the same.
#[multiversion(targets("x86_64+avx2"))]
fn fixed<const N: usize>(sums: &RowSums<'_>, targets: &mut [f32]) {
    let (rows, _) = sums.rows.as_chunks::<N>();
    let mut init = [0.0; N];
    if let Some(row) = sums.init {
        init.copy_from_slice(row);
    }
    for (t, target) in targets.as_chunks_mut::<N>().0.iter_mut().enumerate() {
        let mut acc = init;
        if sums.k_stride == 1 {
            // Contiguous coefficients: no index arithmetic or bounds check per term.
            let coefs = &sums.coefs[t * sums.t_stride..][..rows.len()];
            for (row, &c) in rows.iter().zip(coefs) {
                add_scaled(&mut acc, c, row);
            }
        } else {
            for (k, row) in rows.iter().enumerate() {
                add_scaled(&mut acc, sums.coef(t, k), row);
            }
        }
        *target = acc;
    }
}

/// `acc += c * row`.
#[inline(always)]
fn add_scaled<const N: usize>(acc: &mut [f32; N], c: f32, row: &[f32; N]) {
    for (a, &r) in acc.iter_mut().zip(row) {
        *a += c * r;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every width below [`GEMM_WIDTH`], fixed or blocked, gives each sum bit for bit as a
    /// plain loop in the documented order (`init`, then `k` ascending), for both layouts of the
    /// coefficients.
    #[test]
    fn every_width_sums_in_the_documented_order() {
        let value = |i: usize| ((i * 7919 % 1000) as f32 - 500.0) / 37.0;
        for width in 1..GEMM_WIDTH {
            let (t_count, k_count) = (3, 5);
            let rows: Vec<f32> = (0..k_count * width).map(value).collect();
            let init: Vec<f32> = (0..width).map(|i| value(i + 11)).collect();
            let coefs: Vec<f32> = (0..t_count * k_count).map(|i| value(i + 101)).collect();
            for (t_stride, k_stride) in [(k_count, 1), (1, t_count)] {
                let sums = RowSums {
                    init: Some(&init),
                    coefs: &coefs,
                    t_stride,
                    k_stride,
                    rows: &rows,
                    rows_transposed: false,
                };
                let mut got = vec![f32::NAN; t_count * width];
                sums.write_to(&mut got, width);
                for t in 0..t_count {
                    for j in 0..width {
                        let mut expected = init[j];
                        for k in 0..k_count {
                            expected += sums.coef(t, k) * rows[k * width + j];
                        }
                        assert_eq!(
                            got[t * width + j].to_bits(),
                            expected.to_bits(),
                            "width {width}, row {t}, column {j}"
                        );
                    }
                }
            }
        }
    }
}
