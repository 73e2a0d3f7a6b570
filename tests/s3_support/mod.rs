//! A real S3-compatible server for the tests: `moto_server` (PyPI
//! `moto[server]`, installed by `scripts/test-deps`) on a free port of
//! 127.0.0.1, killed when dropped; and a small recording proxy in front of
//! it that logs every request line, can answer 503 (throttling), 403 (a
//! refused key) or 404 (an object that vanished), and forwards the rest.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Moto {
    pub fn start() -> Moto {
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new("python3")
                .args([
                    "-m",
                    "moto.server",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("python3 -m moto.server runs (scripts/test-deps installs moto[server])");
            let mut moto = Moto { child, port };
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = moto.child.try_wait() {
                    break; // the port was taken: try another
                }
                if http(
                    port,
                    "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                )
                .is_some()
                {
                    return moto;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        panic!("moto_server did not start");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn create_bucket(&self, bucket: &str) {
        let r = http(
            self.port,
            &format!("PUT /{bucket} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        )
        .expect("moto answers");
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    }

    /// Uploads every file under `dir` as `prefix/<relative path>`.
    pub fn upload_dir(&self, bucket: &str, prefix: &str, dir: &Path) {
        let mut files = Vec::new();
        for e in walk(dir) {
            let rel = e
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let key = if prefix.is_empty() {
                rel
            } else {
                format!("{prefix}/{rel}")
            };
            files.push((key, std::fs::read(&e).unwrap()));
        }
        self.put_all(bucket, files);
    }

    pub fn put_all(&self, bucket: &str, objects: Vec<(String, Vec<u8>)>) {
        use futures::StreamExt;
        use object_store::ObjectStore;
        let store = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .build()
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let results: Vec<_> = futures::stream::iter(objects)
                .map(|(k, v)| {
                    let store = &store;
                    async move {
                        store
                            .put(&object_store::path::Path::from(k.as_str()), v.into())
                            .await
                    }
                })
                .buffer_unordered(16)
                .collect()
                .await;
            for r in results {
                r.unwrap();
            }
        });
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// One request on a fresh connection; the whole answer as text.
fn http(port: u16, request: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    s.write_all(request.as_bytes()).ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// What the proxy does to the requests it sees.
#[derive(Default)]
pub struct Faults {
    /// Answer 503 SlowDown to every Nth request (0: never).
    pub throttle_every: u64,
    /// Answer 403 InvalidAccessKeyId when the Authorization header names this key.
    pub refuse_key: Option<String>,
    /// Answer 404 NoSuchKey to GETs whose path contains this.
    pub vanish: Option<String>,
}

pub struct Proxy {
    pub port: u16,
    /// Request lines seen (`GET /bucket?list-type=2&prefix=… HTTP/1.1`).
    pub log: Arc<Mutex<Vec<String>>>,
    pub throttled: Arc<AtomicU64>,
}

impl Proxy {
    pub fn start(upstream: u16, faults: Faults) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let throttled = Arc::new(AtomicU64::new(0));
        let faults = Arc::new(faults);
        let count = Arc::new(AtomicU64::new(0));
        let (l2, t2) = (log.clone(), throttled.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (log, throttled, faults, count) =
                    (l2.clone(), t2.clone(), faults.clone(), count.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, upstream, &log, &throttled, &faults, &count);
                });
            }
        });
        Proxy {
            port,
            log,
            throttled,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.log.lock().unwrap().clear();
    }
}

fn answer(code: &str, xml_code: &str) -> Vec<u8> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{xml_code}</Code><Message>injected by the test proxy</Message></Error>"
    );
    format!(
        "HTTP/1.1 {code}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn serve(
    conn: TcpStream,
    upstream: u16,
    log: &Mutex<Vec<String>>,
    throttled: &AtomicU64,
    faults: &Faults,
    count: &AtomicU64,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut out = conn;
    loop {
        // The request head, then its body (by Content-Length).
        let mut head = Vec::new();
        loop {
            let mut line = Vec::new();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            let end = line == b"\r\n";
            head.push(String::from_utf8_lossy(&line).into_owned());
            if end {
                break;
            }
        }
        let len: usize = head
            .iter()
            .find_map(|h| {
                let (k, v) = h.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        let request_line = head[0].trim_end().to_string();
        log.lock().unwrap().push(request_line.clone());
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        if faults.throttle_every > 0 && n.is_multiple_of(faults.throttle_every) {
            throttled.fetch_add(1, Ordering::SeqCst);
            out.write_all(&answer("503 Slow Down", "SlowDown"))?;
            continue;
        }
        if let Some(k) = &faults.refuse_key
            && head
                .iter()
                .any(|h| h.to_ascii_lowercase().starts_with("authorization:") && h.contains(k))
        {
            out.write_all(&answer("403 Forbidden", "InvalidAccessKeyId"))?;
            continue;
        }
        if let Some(v) = &faults.vanish
            && request_line.starts_with("GET ")
            && request_line.contains(v.as_str())
        {
            out.write_all(&answer("404 Not Found", "NoSuchKey"))?;
            continue;
        }
        // Forward on a fresh connection that the server closes after its
        // answer, so the answer's end is the connection's end.
        let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
        for h in &head {
            if h.to_ascii_lowercase().starts_with("connection:") {
                continue;
            }
            if h == "\r\n" {
                up.write_all(b"Connection: close\r\n")?;
            }
            up.write_all(h.as_bytes())?;
        }
        up.write_all(&body)?;
        let mut resp = Vec::new();
        up.read_to_end(&mut resp)?;
        out.write_all(&resp)?;
    }
}

/// The binary, pointed at an endpoint with test keys and no shared config.
pub fn s3_cmd(endpoint: &str, home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trailblame"));
    c.env("NO_COLOR", "1")
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL_S3")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_SESSION_TOKEN");
    c
}

/// `prefix=` of a LIST request line, percent-decoded.
pub fn listed_prefix(line: &str) -> Option<String> {
    let q = line.split_once('?')?.1.split(' ').next()?;
    let v = q.split('&').find_map(|kv| kv.strip_prefix("prefix="))?;
    Some(percent_decode(v))
}

pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
