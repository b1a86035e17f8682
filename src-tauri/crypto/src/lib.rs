//! Signing and encryption primitives: MD5, HMAC-MD5, HMAC-SHA256 (hex) and AES-256-ECB with
//! PKCS7 padding (Base64). Each is pinned by a public test vector below.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyInit};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

pub fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

pub fn hmac_md5_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac = <Hmac<Md5> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

pub fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    #[error("the AES key must be exactly 32 bytes, got {0}")]
    KeyLength(usize),
    #[error("the ciphertext is not valid Base64")]
    Base64,
    #[error("the ciphertext does not decrypt (wrong key or corrupted data)")]
    Decrypt,
}

type Aes256EcbEnc = ecb::Encryptor<aes::Aes256>;
type Aes256EcbDec = ecb::Decryptor<aes::Aes256>;

/// AES-256-ECB, PKCS7 padding, Base64 output; `key` is used as raw bytes (32 of them).
pub fn aes256_ecb_encrypt_b64(key: &[u8], plaintext: &[u8]) -> Result<String, CipherError> {
    let cipher =
        Aes256EcbEnc::new_from_slice(key).map_err(|_| CipherError::KeyLength(key.len()))?;
    Ok(BASE64.encode(cipher.encrypt_padded_vec_mut::<Pkcs7>(plaintext)))
}

pub fn aes256_ecb_decrypt_b64(key: &[u8], ciphertext: &str) -> Result<Vec<u8>, CipherError> {
    let cipher =
        Aes256EcbDec::new_from_slice(key).map_err(|_| CipherError::KeyLength(key.len()))?;
    let bytes = BASE64
        .decode(ciphertext.trim())
        .map_err(|_| CipherError::Base64)?;
    cipher
        .decrypt_padded_vec_mut::<Pkcs7>(&bytes)
        .map_err(|_| CipherError::Decrypt)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors from PROTOCOLS.md, each reproduced independently there.
    #[test]
    fn top_md5_vector() {
        let secret = "test";
        let joined = "app_keytestfieldsnickformatxmlmethodtaobao.user.seller.getsessiontestsign_methodmd5timestamp2013-05-06 13:52:03v2.0";
        let sign = md5_hex(format!("{secret}{joined}{secret}").as_bytes()).to_uppercase();
        assert_eq!(sign, "72CB4D809B375A54502C09360D879C64");
    }

    const WECHAT: &str = "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=192006250b4c09247ec02edce69f6a2d";

    #[test]
    fn wechat_v2_md5_vector() {
        assert_eq!(
            md5_hex(WECHAT.as_bytes()).to_uppercase(),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
    }

    #[test]
    fn wechat_v2_hmac_sha256_vector() {
        let key = b"192006250b4c09247ec02edce69f6a2d";
        assert_eq!(
            hmac_sha256_hex(key, WECHAT.as_bytes()).to_uppercase(),
            "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
        );
    }

    #[test]
    fn bharatpay_aes_vector_and_round_trip() {
        let key = b"ecb797f9e9feab0a92ab283978d33711";
        assert_eq!(
            aes256_ecb_encrypt_b64(key, b"Test").unwrap(),
            "M2SwiX1fxQ5aJ34scDi0zA=="
        );
        assert_eq!(
            aes256_ecb_decrypt_b64(key, "M2SwiX1fxQ5aJ34scDi0zA==").unwrap(),
            b"Test"
        );
        let long = "{\"amount\":12.34,\"sourceNo\":\"中文-🙂\"}".repeat(5);
        let sealed = aes256_ecb_encrypt_b64(key, long.as_bytes()).unwrap();
        assert_eq!(
            aes256_ecb_decrypt_b64(key, &sealed).unwrap(),
            long.as_bytes()
        );
    }

    #[test]
    fn aes_rejects_bad_keys_and_garbage() {
        assert_eq!(
            aes256_ecb_encrypt_b64(b"short", b"x"),
            Err(CipherError::KeyLength(5))
        );
        let key = b"ecb797f9e9feab0a92ab283978d33711";
        assert_eq!(aes256_ecb_decrypt_b64(key, "!!!"), Err(CipherError::Base64));
        assert_eq!(
            aes256_ecb_decrypt_b64(key, "AAAA"),
            Err(CipherError::Decrypt)
        );
        let other = b"00000000000000000000000000000000";
        assert!(aes256_ecb_decrypt_b64(other, "M2SwiX1fxQ5aJ34scDi0zA==").is_err());
    }

    #[test]
    fn hmac_md5_known_answer() {
        // RFC 2104 test case 2.
        assert_eq!(
            hmac_md5_hex(b"Jefe", b"what do ya want for nothing?"),
            "750c783e6ab0b503eaa86e310a5db738"
        );
    }
}
