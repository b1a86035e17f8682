//! The emulators' request handling: a few requests in a row against one fresh sandbox.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paydesk_fuzz::sandbox_requests(data));
