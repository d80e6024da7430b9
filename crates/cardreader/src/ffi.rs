//! The vendor library, loaded at run time in the helper process. This is the project's one use
//! of `unsafe`: calling C functions whose signatures the two interfaces fix.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_uint};
use std::path::Path;

use libloading::{Library, Symbol};

/// Why the helper got no text block.
#[derive(Debug)]
pub(crate) enum Failure {
    NoLibrary(String),
    NotAReader,
    NoReader,
    NoCard,
    Read(i32),
}

type Port = unsafe extern "system" fn(c_int) -> c_int;
type Find = unsafe extern "system" fn(c_int, *mut u8, c_int) -> c_int;
type ReadBase = unsafe extern "system" fn(c_int, *mut u8, *mut c_uint, *mut u8, *mut c_uint, c_int) -> c_int;
type NoArgs = unsafe extern "system" fn() -> c_int;

/// sdtapi's answers.
const SDT_OK: c_int = 0x90;
const SDT_FOUND: c_int = 0x9f;

/// Reads one card's text block through the library at `path` on `port` (0: the USB ports
/// 1001–1016, then the serial ports 1–16).
pub(crate) fn read(path: &Path, port: i32) -> Result<Vec<u8>, Failure> {
    // SAFETY: loading runs the library's initialisers; that is what the helper process is for.
    let lib = unsafe { Library::new(path) }.map_err(|e| Failure::NoLibrary(e.to_string()))?;
    let ports: Vec<c_int> = if port > 0 { vec![port] } else { (1001..=1016).chain(1..=16).collect() };
    // SAFETY: each symbol is looked up with the type the interface gives it.
    unsafe {
        if let (Ok(open), Ok(close), Ok(find), Ok(select), Ok(base)) = (
            lib.get::<Port>(b"SDT_OpenPort\0"),
            lib.get::<Port>(b"SDT_ClosePort\0"),
            lib.get::<Find>(b"SDT_StartFindIDCard\0"),
            lib.get::<Find>(b"SDT_SelectIDCard\0"),
            lib.get::<ReadBase>(b"SDT_ReadBaseMsg\0"),
        ) {
            return sdt(&ports, &open, &close, &find, &select, &base);
        }
        if let (Ok(init), Ok(auth), Ok(content), Ok(close)) = (
            lib.get::<Port>(b"InitComm\0"),
            lib.get::<NoArgs>(b"Authenticate\0"),
            lib.get::<Port>(b"Read_Content\0"),
            lib.get::<NoArgs>(b"CloseComm\0"),
        ) {
            return termb(&ports, &init, &auth, &content, &close);
        }
    }
    Err(Failure::NotAReader)
}

/// # Safety
/// The symbols are the sdtapi functions of a loaded library.
unsafe fn sdt(ports: &[c_int], open: &Symbol<Port>, close: &Symbol<Port>, find: &Symbol<Find>, select: &Symbol<Find>, base: &Symbol<ReadBase>) -> Result<Vec<u8>, Failure> {
    // SAFETY (the whole function): buffers are larger than the interface's 256 + 1024 bytes.
    unsafe {
        let port = ports.iter().copied().find(|p| open(*p) == SDT_OK).ok_or(Failure::NoReader)?;
        // iIfOpen 0: the port is open already (1 would open and close it within the call).
        let mut rapdu = [0u8; 64];
        if find(port, rapdu.as_mut_ptr(), 0) != SDT_FOUND || select(port, rapdu.as_mut_ptr(), 0) != SDT_OK {
            close(port);
            return Err(Failure::NoCard);
        }
        let (mut text, mut photo) = (vec![0u8; 1024], vec![0u8; 4096]);
        let (mut text_len, mut photo_len): (c_uint, c_uint) = (0, 0);
        let r = base(port, text.as_mut_ptr(), &mut text_len, photo.as_mut_ptr(), &mut photo_len, 0);
        close(port);
        if r != SDT_OK {
            return Err(Failure::Read(r));
        }
        text.truncate((text_len as usize).min(1024));
        Ok(text)
    }
}

/// # Safety
/// The symbols are the termb functions of a loaded library; the working folder is the helper's own.
unsafe fn termb(ports: &[c_int], init: &Symbol<Port>, auth: &Symbol<NoArgs>, content: &Symbol<Port>, close: &Symbol<NoArgs>) -> Result<Vec<u8>, Failure> {
    // SAFETY (the whole function): the functions take plain integers.
    unsafe {
        let _ = std::fs::remove_file("wz.txt");
        if !ports.iter().any(|p| init(*p) == 1) {
            return Err(Failure::NoReader);
        }
        if auth() != 1 {
            close();
            return Err(Failure::NoCard);
        }
        let r = content(1);
        close();
        if r != 1 {
            return Err(Failure::Read(r));
        }
    }
    let mut text = vec![];
    std::io::Read::read_to_end(&mut std::io::Read::take(std::fs::File::open("wz.txt").map_err(|_| Failure::Read(-1))?, 1024), &mut text).map_err(|_| Failure::Read(-1))?;
    Ok(text)
}
