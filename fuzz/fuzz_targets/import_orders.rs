//! The import's parsing layer: CSV and JSON order files, each row to an order the store accepts
//! or a short refusal.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paydesk_fuzz::import_orders(data));
