// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;

/// `yichuang-desktop [--demo] [DB]`: the database is DB, or `YICHUANG_DB`, or `yichuang.db` in
/// the platform's application data folder (`store::files::app_data_dir`, never the working
/// directory). `--demo` sets up the demo centre when the database is new.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The ID-card reader's helper process: the vendor library is loaded here, never in the
    // window's process (`yichuang_cardreader`).
    if let [flag, lib, port, folder] = args.as_slice() {
        if flag == yichuang_desktop_lib::CARD_HELPER_FLAG {
            yichuang_cardreader::helper_main(lib, port, folder);
            return;
        }
    }
    // The clock first: a test build's YICHUANG_NOW that is not a time stops the start, said.
    if let Err(e) = yichuang_desktop_lib::start_clock() {
        eprintln!("错误：{e}");
        std::process::exit(1);
    }
    let demo = args.iter().any(|a| a == "--demo");
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("YICHUANG_DB").map(PathBuf::from))
        .or_else(|| {
            let dir = yichuang_store::files::app_data_dir()?;
            let _ = yichuang_store::files::private_dir(&dir);
            Some(dir.join("yichuang.db"))
        });
    let Some(path) = path else {
        eprintln!("错误：找不到本机用户的数据文件夹（HOME或APPDATA未设置）：请用 YICHUANG_DB 指定数据库文件");
        std::process::exit(1);
    };
    let store = match yichuang_desktop_lib::open_store(path.clone(), demo) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("错误：无法打开数据库{}：{e}", path.display());
            std::process::exit(1);
        }
    };
    if let Err(e) = yichuang_desktop_lib::run(store) {
        eprintln!("错误：{e}");
        std::process::exit(1);
    }
}
