//! Debit's callback decoder: plain bodies, and bodies sealed with the profile's access key.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paydesk_fuzz::debit_callback(data));
