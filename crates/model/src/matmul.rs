//! The workspace's one `unsafe` call: the `gemm` crate's matrix product (the kernel under
//! dfdx's `matmul`), on borrowed slices. Going through dfdx cost a copy of both operands and of
//! the result per product. The call is sound because every index it reads or writes is
//! asserted to lie inside its slice first, and `&mut` and `&` slices cannot alias.
#![allow(unsafe_code)]

/// A strided view of a matrix: element `(r, c)` is `data[r * row_stride + c * col_stride]`.
#[derive(Clone, Copy)]
pub(crate) struct MatRef<'a> {
    pub(crate) data: &'a [f32],
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) row_stride: usize,
    pub(crate) col_stride: usize,
}

impl MatRef<'_> {
    /// Whether every element lies inside `data` (an empty matrix always does).
    fn fits(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride
                < self.data.len()
    }
}

/// `dst = lhs . rhs`, `dst` row-major `(lhs.rows, rhs.cols)`, on this thread.
///
/// # Panics
/// When the shapes do not match or a view does not fit its slice.
pub(crate) fn matmul(dst: &mut [f32], lhs: MatRef<'_>, rhs: MatRef<'_>) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    assert_eq!(rhs.rows, k, "inner dimensions differ");
    assert_eq!(dst.len(), m * n, "destination is not lhs.rows x rhs.cols");
    assert!(lhs.fits() && rhs.fits(), "a view reaches past its slice");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        dst.fill(0.0);
        return;
    }
    let stride = |s: usize| isize::try_from(s).expect("a stride of a slice fits isize");
    // SAFETY: `dst` holds `m * n` elements, written at `r * n + c`; `lhs` and `rhs` fit their
    // slices (asserted above), so every read is in bounds; `dst` is a unique borrow, so it
    // aliases neither operand. With `read_dst = false` and `alpha = 0`, `dst` is only written.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            stride(n),
            false,
            lhs.data.as_ptr(),
            stride(lhs.col_stride),
            stride(lhs.row_stride),
            rhs.data.as_ptr(),
            stride(rhs.col_stride),
            stride(rhs.row_stride),
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(lhs: MatRef<'_>, rhs: MatRef<'_>) -> Vec<f32> {
        let at = |m: &MatRef<'_>, r: usize, c: usize| m.data[r * m.row_stride + c * m.col_stride];
        let mut out = Vec::new();
        for r in 0..lhs.rows {
            for c in 0..rhs.cols {
                let dot: f64 = (0..lhs.cols)
                    .map(|k| f64::from(at(&lhs, r, k)) * f64::from(at(&rhs, k, c)))
                    .sum();
                out.push(dot as f32);
            }
        }
        out
    }

    /// Row-major and transposed views, odd sizes: the product agrees with a naive one.
    #[test]
    fn strided_products_match_the_naive_product() {
        let data: Vec<f32> = (0..200 * 70)
            .map(|i| ((i * 37) % 23) as f32 - 11.0)
            .collect();
        for (m, k, n) in [(1, 1, 1), (3, 70, 65), (10, 64, 128), (97, 5, 66)] {
            let row_major = MatRef {
                data: &data,
                rows: m,
                cols: k,
                row_stride: k,
                col_stride: 1,
            };
            let transposed = MatRef {
                data: &data,
                rows: k,
                cols: n,
                row_stride: 1,
                col_stride: k,
            };
            let mut dst = vec![f32::NAN; m * n];
            matmul(&mut dst, row_major, transposed);
            let expected = naive(row_major, transposed);
            for (got, want) in dst.iter().zip(&expected) {
                assert!(
                    (got - want).abs() <= 1e-3 * want.abs().max(1.0),
                    "{got} vs {want}"
                );
            }
        }
    }

    #[test]
    #[should_panic(expected = "past its slice")]
    fn a_view_past_its_slice_is_refused() {
        let data = [0.0; 6];
        let view = MatRef {
            data: &data,
            rows: 3,
            cols: 3,
            row_stride: 3,
            col_stride: 1,
        };
        matmul(&mut [0.0; 9], view, view);
    }
}
