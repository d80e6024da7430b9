//! A stand-in for a vendor's ID-card reader library, for the tests: the sdtapi (`SDT_*`) and
//! termb (`InitComm` …) C interfaces, answering as the folder named by `YICHUANG_CARD_STANDIN`
//! says: its file `mode` (`ok`, `no_reader`, `no_card`, `hang`, `crash`; `ok` when absent) and
//! its file `card` (a recorded 256-byte text block). `hang` never returns from the read (a
//! stuck driver), `crash` aborts the process (a faulty one).

use std::ffi::{c_int, c_uint};
use std::path::PathBuf;

fn folder() -> PathBuf {
    std::env::var_os("YICHUANG_CARD_STANDIN").map(PathBuf::from).unwrap_or_default()
}

fn mode() -> String {
    std::fs::read_to_string(folder().join("mode")).map(|m| m.trim().to_owned()).unwrap_or_else(|_| "ok".into())
}

fn card() -> Vec<u8> {
    std::fs::read(folder().join("card")).unwrap_or_default()
}

/// What the driver does on the read itself.
fn on_read() {
    match mode().as_str() {
        "hang" => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        "crash" => std::process::abort(),
        _ => {}
    }
}

const OK: c_int = 0x90;
const FOUND: c_int = 0x9f;

#[no_mangle]
pub extern "system" fn SDT_OpenPort(_port: c_int) -> c_int {
    if mode() == "no_reader" {
        0x01
    } else {
        OK
    }
}

#[no_mangle]
pub extern "system" fn SDT_ClosePort(_port: c_int) -> c_int {
    OK
}

#[no_mangle]
pub extern "system" fn SDT_StartFindIDCard(_port: c_int, _rapdu: *mut u8, _open: c_int) -> c_int {
    if mode() == "no_card" {
        0x80
    } else {
        FOUND
    }
}

#[no_mangle]
pub extern "system" fn SDT_SelectIDCard(_port: c_int, _rapdu: *mut u8, _open: c_int) -> c_int {
    OK
}

/// # Safety
/// `text` must hold 256 bytes and `photo` 1024, the lengths writable, as the interface says.
#[no_mangle]
pub unsafe extern "system" fn SDT_ReadBaseMsg(_port: c_int, text: *mut u8, text_len: *mut c_uint, photo: *mut u8, photo_len: *mut c_uint, _open: c_int) -> c_int {
    on_read();
    let c = card();
    if c.len() != 256 {
        return 0x41;
    }
    // SAFETY: the caller gives buffers of the sizes the interface fixes.
    unsafe {
        std::ptr::copy_nonoverlapping(c.as_ptr(), text, 256);
        *text_len = 256;
        std::ptr::write_bytes(photo, 0, 1024);
        *photo_len = 1024;
    }
    OK
}

#[no_mangle]
pub extern "system" fn InitComm(_port: c_int) -> c_int {
    c_int::from(mode() != "no_reader")
}

#[no_mangle]
pub extern "system" fn Authenticate() -> c_int {
    c_int::from(mode() != "no_card")
}

/// termb writes the text block to `wz.txt` in the working folder.
#[no_mangle]
pub extern "system" fn Read_Content(_active: c_int) -> c_int {
    on_read();
    c_int::from(std::fs::write("wz.txt", card()).is_ok())
}

#[no_mangle]
pub extern "system" fn CloseComm() -> c_int {
    1
}
