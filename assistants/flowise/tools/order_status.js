// Flowise custom tool: $order_id is the tool's argument, $vars the Flowise variables.
const fetch = require('node-fetch');

const base = $vars.ORDERS_API_URL || 'http://127.0.0.1:8080';
const url = `${base}/orders/${encodeURIComponent($order_id)}`;

try {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    return JSON.stringify({ order_id: $order_id, error: `status ${response.status}` });
  }
  const order = await response.json();
  return JSON.stringify({ order_id: $order_id, status: order.status, carrier: order.carrier, eta: order.eta });
} catch (error) {
  return JSON.stringify({ order_id: $order_id, error: String(error) });
}
