//! A local Lambda Runtime API: hands events to a function process over the same HTTP
//! interface Lambda uses, and times each response.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, Mutex};

/// What came back for one event.
pub struct Answer {
    /// When the event was handed to the function.
    pub sent: Instant,
    /// When its response arrived.
    pub received: Instant,
    pub body: Vec<u8>,
}

struct Pending {
    event: Vec<u8>,
    reply: oneshot::Sender<Answer>,
}

struct State {
    queue: Mutex<mpsc::Receiver<Pending>>,
    waiting: Mutex<HashMap<String, (Instant, oneshot::Sender<Answer>)>>,
}

/// The server; events are queued with [`RuntimeApi::invoke`].
#[derive(Clone)]
pub struct RuntimeApi {
    pub addr: String,
    tx: mpsc::Sender<Pending>,
}

impl RuntimeApi {
    pub async fn start() -> std::io::Result<RuntimeApi> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?.to_string();
        let (tx, rx) = mpsc::channel(16);
        let state = Arc::new(State {
            queue: Mutex::new(rx),
            waiting: Mutex::new(HashMap::new()),
        });
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let _ = sock.set_nodelay(true);
                let state = state.clone();
                tokio::spawn(async move {
                    let _ = serve(sock, state).await;
                });
            }
        });
        Ok(RuntimeApi { addr, tx })
    }

    /// Queues one event and waits for the function's answer.
    pub async fn invoke(&self, event: Vec<u8>) -> Option<Answer> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Pending { event, reply }).await.ok()?;
        rx.await.ok()
    }
}

async fn read_body(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    headers: &HashMap<String, String>,
) -> std::io::Result<Vec<u8>> {
    if let Some(len) = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        let mut body = vec![0; len];
        reader.read_exact(&mut body).await?;
        return Ok(body);
    }
    let mut body = Vec::new();
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if size == 0 {
                let mut end = String::new();
                reader.read_line(&mut end).await?;
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).await?;
            body.extend_from_slice(&chunk[..size]);
        }
    }
    Ok(body)
}

async fn serve(sock: TcpStream, state: Arc<State>) -> std::io::Result<()> {
    let (read, mut write) = sock.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).await? == 0 {
            return Ok(());
        }
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let body = read_body(&mut reader, &headers).await?;
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if method == "GET" && path.ends_with("/invocation/next") {
            let Some(p) = state.queue.lock().await.recv().await else {
                return Ok(());
            };
            let id = uuid::Uuid::new_v4().to_string();
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() + 30_000)
                .unwrap_or(0);
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nlambda-runtime-aws-request-id: {id}\r\nlambda-runtime-deadline-ms: {deadline}\r\nlambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\nlambda-runtime-trace-id: Root=1-00000000-000000000000000000000000\r\n\r\n",
                p.event.len()
            );
            state
                .waiting
                .lock()
                .await
                .insert(id, (Instant::now(), p.reply));
            // One write: head and body split over two segments would meet delayed ACKs.
            let mut reply = head.into_bytes();
            reply.extend_from_slice(&p.event);
            write.write_all(&reply).await?;
        } else if method == "POST" && (path.ends_with("/response") || path.ends_with("/error")) {
            let received = Instant::now();
            let id = path.split('/').rev().nth(1).unwrap_or("").to_string();
            let mut waiting = state.waiting.lock().await;
            // An init error names no invocation: it fails whatever the process was given.
            let ids: Vec<String> = if path.ends_with("/init/error") {
                waiting.keys().cloned().collect()
            } else {
                vec![id]
            };
            for id in ids {
                if let Some((sent, reply)) = waiting.remove(&id) {
                    let body = body.clone();
                    let _ = reply.send(Answer {
                        sent,
                        received,
                        body,
                    });
                }
            }
            drop(waiting);
            write
                .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}")
                .await?;
        } else {
            write
                .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}")
                .await?;
        }
    }
}
