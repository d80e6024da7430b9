//! Sync with the county headquarters (HQ).
//!
//! - [`batch`]: the format. A batch is a contiguous run of one terminal stream's events with a
//!   manifest and an HMAC signature; the same bytes travel over the network and in export files.
//! - [`client`]: enrolment, sending pending events in size-bounded batches until HQ holds them
//!   all (retrying with backoff, resuming wherever it was cut), and fetching HQ's signed
//!   catalogue and calendar documents.
//! - [`export`]: the end-of-day export file, for days without a network.
//! - [`document`]: HQ's signed documents.
//!
//! The store's event table is the outbox; this crate never changes an event.

pub mod backoff;
pub mod batch;
pub mod client;
pub mod document;
pub mod export;
pub mod lan;
pub mod seal;
pub mod transfer;

pub use batch::{key_fingerprint, local_stream_id, Batch, BatchEvent, Manifest, FORMAT};
pub use client::{enrol, sync, Progress, SyncOptions, SyncReport};
pub use document::SignedDocument;

/// What went wrong, in words a clerk or HQ staff can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    #[error("不是一窗通的数据批次：{0}")]
    NotABatch(String),
    #[error("数据文件不完整（可能拷贝时中断），请重新导出")]
    Truncated,
    #[error("数据批次的格式“{0}”不受支持，请升级程序")]
    Format(String),
    #[error("数据批次的清单不符：{0}")]
    Manifest(String),
    #[error("数据批次不连续：应为第{expected}条，却是第{found}条")]
    Gap { expected: i64, found: i64 },
    #[error("第{0}条记录被改动过（校验值不符）")]
    Tampered(i64),
    #[error("签名不符：数据批次被改动，或不是该终端发出的")]
    BadSignature,
    #[error("终端密钥无效")]
    BadKey,
    #[error("本机尚未在县级登记：请向县级索取一次性登记码，再执行登记")]
    NotEnrolled,
    #[error("连不上县级服务器（{0}），稍后会自动重试；在此期间照常办件，不受影响")]
    Unreachable(String),
    #[error("县级拒收：{0}")]
    Refused(String),
    #[error("县级下发的{0}签名不符，未采用")]
    BadDocument(String),
    #[error("本机既未在县级登记（enrol），也未添加本中心的其他窗口（peer add），无处同步")]
    NowhereToSync,
    #[error("文件无法加密：{0}")]
    NoRecipient(String),
    #[error("这份加密文件不是给本机的：请对方重新导出给本机")]
    NotForUs,
    #[error("加密的文件或答复已损坏或被改动，无法解密")]
    SealBroken,
    #[error("本中心的窗口拒绝：{0}")]
    PeerRefused(String),
    #[error("连不上本中心的窗口{0}（{1}）；在此期间照常办件，不受影响")]
    PeerUnreachable(String, String),
    #[error("{0}")]
    Store(#[from] yichuang_store::StoreError),
    #[error("文件读写错误：{0}")]
    Io(#[from] std::io::Error),
}

impl SyncError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotABatch(_) => "sync.not_a_batch",
            Self::Truncated => "sync.truncated",
            Self::Format(_) => "sync.format",
            Self::Manifest(_) => "sync.manifest",
            Self::Gap { .. } => "sync.gap",
            Self::Tampered(_) => "sync.tampered",
            Self::BadSignature => "sync.bad_signature",
            Self::BadKey => "sync.bad_key",
            Self::NotEnrolled => "sync.not_enrolled",
            Self::Unreachable(_) => "sync.unreachable",
            Self::Refused(_) => "sync.refused",
            Self::BadDocument(_) => "sync.bad_document",
            Self::NowhereToSync => "sync.nowhere",
            Self::NoRecipient(_) => "sync.no_recipient",
            Self::NotForUs => "sync.not_for_us",
            Self::SealBroken => "sync.seal_broken",
            Self::PeerRefused(_) => "sync.peer_refused",
            Self::PeerUnreachable(..) => "sync.peer_unreachable",
            Self::Store(e) => e.code(),
            Self::Io(_) => "sync.io",
        }
    }
}
