//! Every answer the partner connector reads: pay and status, with and without the profile's secrets.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paydesk_fuzz::responses("partner", data));
