//! Helpers shared by the fuzz targets in `fuzz_targets/`.

use std::fmt::Debug;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use serde::{de::DeserializeOwned, Serialize};

/// Runs a future that never waits (an async read from a byte slice) to completion.
///
/// Panics if it returns `Pending`: reading from `&[u8]` is always ready, so that would be a bug.
pub fn ready<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a read from a byte slice returned Pending"),
    }
}

/// Round trip of a value that was decoded from hostile bytes: its postcard encoding must
/// decode to an equal value, and re-encoding that must give the same bytes (the encoder is
/// canonical even though the decoder accepts overlong varints and trailing bytes).
pub fn roundtrip<T>(value: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let bytes = postcard::to_stdvec(value).expect("a decoded value must encode");
    let back: T = postcard::from_bytes(&bytes).expect("our own encoding must decode");
    assert_eq!(&back, value, "decode(encode(x)) != x");
    let again = postcard::to_stdvec(&back).expect("re-encode");
    assert_eq!(again, bytes, "encoding is not stable");
}
