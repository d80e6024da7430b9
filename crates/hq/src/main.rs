//! `yichuang-hq`: the county headquarters server and its staff's commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "yichuang-hq", about = "一窗通县级服务器")]
struct Cli {
    /// The configuration file (JSON: database_url, listen, tls_cert, tls_key); the environment
    /// (YICHUANG_HQ_DATABASE_URL, ...) overrides it.
    #[arg(long, global = true, env = "YICHUANG_HQ_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the server (migrating first).
    Serve,
    /// Brings the database up to this program's schema.
    Migrate,
    /// Sends the queued messages (短信) through the configured gateway once, and takes the
    /// delivery reports (the server does this every 30 seconds by itself).
    SmsSend,
    /// Makes a one-time enrolment code (80 random bits, e.g. 7K3M-9QX2-T4HB-C8RN) for a
    /// centre's terminal; HQ keeps only its hash, so it is shown this once.
    EnrolCode {
        #[arg(long)]
        centre: String,
        #[arg(long, default_value = "")]
        name: String,
        /// 1 to 168.
        #[arg(long, default_value_t = 24)]
        hours: i32,
    },
    /// The terminals: `terminal list`; `terminal confirm UID --by NAME` after comparing the
    /// key's fingerprint with the centre; `terminal revoke UID --by NAME --reason …`.
    Terminal {
        #[command(subcommand)]
        action: TerminalAction,
    },
    /// Makes the county's own root certificate and HQ's server certificate signed by it, into
    /// DIR: county-ca.pem goes to every centre with the installer (their settings pin it), hq.pem
    /// and hq.key are tls_cert and tls_key, county-ca.key is kept offline.
    TlsInit {
        /// The county's name, written into the certificates.
        #[arg(long)]
        county: String,
        /// A name or IP address the terminals reach HQ by (repeat for several).
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 10)]
        ca_years: u32,
        #[arg(long, default_value_t = 825)]
        days: u32,
    },
    /// Prints HQ's public key: the county hands it to centres with the installer, so that their
    /// files are sealed to HQ before they ever enrol (settings --set hq_public_key=…).
    PublicKey,
    /// Imports a terminal's export file.
    Import {
        file: PathBuf,
        /// Accepts the key of a terminal not yet enrolled, whose file is signed with its own
        /// key: give your name, after checking the key's fingerprint with the centre.
        #[arg(long, value_name = "NAME")]
        accept_key: Option<String>,
    },
    /// Writes the newest published catalogue, or a year's newest calendar, as a file HQ signed,
    /// for a centre with no network (its head imports it: `yichuang import FILE --actor HEAD`).
    Document {
        /// `catalogue` or `calendar`
        kind: String,
        /// The calendar's year.
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        out: PathBuf,
    },
    /// County staff accounts: `user add LOGIN --name 姓名 --role admin|auditor|viewer
    /// [--centre 450821102 ...]` and `user password LOGIN` read the password from standard
    /// input; `user disable LOGIN` ends the account's sessions at once.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Publishes a catalogue or a year's calendar to every terminal.
    Publish {
        /// `catalogue` or `calendar`
        kind: String,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum TerminalAction {
    List,
    Confirm {
        uid: String,
        #[arg(long)]
        by: String,
    },
    Revoke {
        uid: String,
        #[arg(long)]
        by: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum UserAction {
    Add {
        login: String,
        #[arg(long)]
        name: String,
        /// admin（县级管理员）, auditor（县级审计）or viewer（中心查看）
        #[arg(long)]
        role: String,
        /// A viewer's centre (repeat for several).
        #[arg(long = "centre")]
        centres: Vec<String>,
    },
    Password {
        login: String,
    },
    Disable {
        login: String,
    },
}

/// One line from standard input (a password is never an argument: it would stay in the
/// shell's history and in the process list).
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // Certificates need no database.
    if let Command::TlsInit { county, hosts, out, ca_years, days } = &cli.command {
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
        let issued = yichuang_hq::tls::issue(county.trim(), hosts, today, *ca_years, *days)?;
        yichuang_hq::tls::write(out, &issued)?;
        println!("已在{}生成：", out.display());
        println!("  county-ca.pem  县级根证书：随安装程序发给各中心（yichuang settings --set hq_ca=@county-ca.pem --actor 负责人）");
        println!("  county-ca.key  根证书私钥：离线保管，不要放在服务器上");
        println!("  hq.pem, hq.key 县级服务器证书与私钥：配置为 tls_cert 与 tls_key");
        println!("根证书指纹（SHA-256，供中心电话核对）：{}", issued.ca_fingerprint);
        return Ok(());
    }
    let config = yichuang_hq::Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    let pool = yichuang_hq::pool(&config.database_url)?;
    if let Some(f) = &config.key_file {
        yichuang_hq::documents::keep_key_in(f.into());
    }
    match cli.command {
        Command::Migrate => {
            let n = yichuang_hq::migrate(&pool).await?;
            println!("已执行{n}个迁移");
        }
        Command::SmsSend => {
            yichuang_hq::migrate(&pool).await?;
            let cfg = config.sms.as_ref().ok_or_else(|| anyhow::anyhow!("配置文件中没有短信平台（sms）的设置"))?;
            let r = yichuang_hq::sms::round(&pool, cfg).await?;
            println!("已发出{}条，失败{}条，收到送达报告{}条", r.sent, r.failed, r.reported);
        }
        Command::Serve => {
            yichuang_hq::migrate(&pool).await?;
            let tls = config.tls_cert.is_some();
            let state = yichuang_hq::AppState::new(pool.clone(), tls).with_hosts(config.hosts.clone());
            let addr: std::net::SocketAddr = config.listen.parse().map_err(|e| anyhow::anyhow!("监听地址“{}”无效：{e}", config.listen))?;
            // The staff pages may have a listener (and so a network) of their own.
            let (terminals, staff) = match &config.staff_listen {
                Some(l) => {
                    let a: std::net::SocketAddr = l.parse().map_err(|e| anyhow::anyhow!("监听地址“{l}”无效：{e}"))?;
                    (yichuang_hq::terminal_api(state.clone()), Some((a, yichuang_hq::staff_pages(state))))
                }
                None => (yichuang_hq::terminal_api(state.clone()).merge(yichuang_hq::staff_pages(state)), None),
            };
            let mut servers = tokio::task::JoinSet::new();
            if let Some(cfg) = config.sms.clone() {
                let pool = pool.clone();
                tokio::spawn(async move {
                    loop {
                        if let Err(e) = yichuang_hq::sms::round(&pool, &cfg).await {
                            eprintln!("yichuang-hq: 短信发送：{e}");
                        }
                        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                    }
                });
            }
            for (addr, app) in std::iter::once((addr, terminals)).chain(staff) {
                let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
                match (&config.tls_cert, &config.tls_key) {
                    (Some(cert), Some(key)) => {
                        let _ = rustls::crypto::ring::default_provider().install_default();
                        let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                            .await
                            .map_err(|e| anyhow::anyhow!("无法读取TLS证书或私钥：{e}"))?;
                        eprintln!("yichuang-hq: https://{addr}");
                        servers.spawn(async move { axum_server::bind_rustls(addr, tls).serve(app).await });
                    }
                    _ => {
                        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("无法监听{addr}：{e}"))?;
                        eprintln!("yichuang-hq: http://{}", listener.local_addr()?);
                        servers.spawn(async move {
                            axum::serve(listener, app)
                                .with_graceful_shutdown(async {
                                    let _ = tokio::signal::ctrl_c().await;
                                })
                                .await
                        });
                    }
                }
            }
            if let Some(done) = servers.join_next().await {
                done??;
            }
        }
        Command::Terminal { action } => {
            yichuang_hq::migrate(&pool).await?;
            let client = pool.get().await?;
            match action {
                TerminalAction::List => {
                    for r in client
                        .query(
                            "SELECT uid, centre_code, label, public_key, confirmed_by, revoke_reason FROM terminal ORDER BY centre_code, label, enrolled_at",
                            &[],
                        )
                        .await?
                    {
                        let key: Option<String> = r.get(3);
                        let state = match (r.get::<_, Option<String>>(5), r.get::<_, Option<String>>(4)) {
                            (Some(why), _) => format!("已吊销（{why}）"),
                            (None, Some(by)) => format!("已确认（{by}）"),
                            (None, None) => "待确认".into(),
                        };
                        let fp = key.as_deref().map(yichuang_sync::key_fingerprint).unwrap_or_else(|| "—".into());
                        println!("{}\t{}\t{}\t{fp}\t{state}", r.get::<_, &str>(1), r.get::<_, &str>(2), r.get::<_, &str>(0));
                    }
                }
                TerminalAction::Confirm { uid, by } => {
                    yichuang_hq::enrol::confirm(&client, uid.trim(), &by).await?;
                    yichuang_hq::staff::log(&client, by.trim(), "command line", "confirm_terminal", uid.trim()).await?;
                    println!("已确认终端{}", uid.trim());
                }
                TerminalAction::Revoke { uid, by, reason } => {
                    yichuang_hq::enrol::revoke(&client, uid.trim(), &by, &reason).await?;
                    yichuang_hq::staff::log(&client, by.trim(), "command line", "revoke_terminal", uid.trim()).await?;
                    println!("已吊销终端{}：其记录和下载一律拒绝，本中心其他终端下次同步即获知", uid.trim());
                }
            }
        }
        Command::User { action } => {
            yichuang_hq::migrate(&pool).await?;
            let client = pool.get().await?;
            match action {
                UserAction::Add { login, name, role, centres } => {
                    let role = yichuang_hq::staff::Role::parse(&role).ok_or_else(|| anyhow::anyhow!("角色“{role}”不存在：admin、auditor 或 viewer"))?;
                    eprintln!("请输入初始密码（至少10位，含字母、数字、符号中的两种），回车结束：");
                    let password = read_password()?;
                    yichuang_hq::staff::add_user(&client, &login, &name, role, &centres, &password).await?;
                    yichuang_hq::staff::log(&client, "yichuang-hq", "command line", "add_user", login.trim()).await?;
                    println!("已开设账户{}（{}）", login.trim(), role.label());
                }
                UserAction::Password { login } => {
                    eprintln!("请输入新密码，回车结束：");
                    let password = read_password()?;
                    yichuang_hq::staff::set_password(&client, &login, &password).await?;
                    yichuang_hq::staff::log(&client, "yichuang-hq", "command line", "set_password", login.trim()).await?;
                    println!("已为{}设置新密码，其已登录的会话全部结束", login.trim());
                }
                UserAction::Disable { login } => {
                    yichuang_hq::staff::disable(&client, &login).await?;
                    yichuang_hq::staff::log(&client, "yichuang-hq", "command line", "disable_user", login.trim()).await?;
                    println!("已停用{}，其会话全部结束", login.trim());
                }
            }
        }
        Command::TlsInit { .. } => {}
        Command::EnrolCode { centre, name, hours } => {
            yichuang_hq::migrate(&pool).await?;
            let client = pool.get().await?;
            let code = yichuang_hq::enrol::make_code(&client, centre.trim(), name.trim(), hours).await?;
            println!("{code}");
        }
        Command::PublicKey => {
            yichuang_hq::migrate(&pool).await?;
            let key = yichuang_hq::documents::public_key(&pool.get().await?).await?;
            println!("{key}");
        }
        Command::Import { file, accept_key } => {
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("无法读取{}：{e}", file.display()))?;
            let ack = yichuang_hq::ingest::ingest(&pool, &bytes, accept_key.as_deref()).await?;
            println!("已导入：新收{}条，重复{}条，拒收{}条；县级现已收到第{}条", ack.applied, ack.repeated, ack.rejected.len(), ack.held_seq);
            for r in ack.rejected {
                println!("  第{}条拒收：{}", r.seq, r.reason);
            }
        }
        Command::Document { kind, year, out } => {
            yichuang_hq::migrate(&pool).await?;
            let client = pool.get().await?;
            let doc = yichuang_hq::documents::newest(&client, kind.trim(), year).await?;
            std::fs::write(&out, serde_json::to_vec_pretty(&doc)?).map_err(|e| anyhow::anyhow!("无法写入{}：{e}", out.display()))?;
            println!("已写出{kind} {}（县级签名）到{}", doc.version, out.display());
        }
        Command::Publish { kind, file } => {
            yichuang_hq::migrate(&pool).await?;
            let body = std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("无法读取{}：{e}", file.display()))?;
            let client = pool.get().await?;
            let v = yichuang_hq::documents::publish(&client, kind.trim(), &body).await?;
            println!("已发布{kind} {v}");
        }
    }
    Ok(())
}
