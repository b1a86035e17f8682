//! What every connector would otherwise write again: reading an answer that is not what the
//! gateway documents into the outcome it must have ([`answer`]), forgiving field readers for
//! gateways that write numbers as text and text as numbers ([`lenient`]), the GMT+8 clock
//! Chinese gateways sign with ([`gmt8`]), and reading a profile's settings ([`settings`]).

pub(crate) mod answer;
pub(crate) mod gmt8;
pub(crate) mod lenient;
pub(crate) mod settings;

#[cfg(test)]
mod tests;
