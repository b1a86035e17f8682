//! The operations the window and the command line both offer, each in one place with every
//! rule it obeys, so that the two shells only translate (their arguments in, their errors out).
//! It grows operation by operation.

pub mod orders;
pub mod profiles;
