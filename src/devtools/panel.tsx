import { Component, render, type ComponentChildren } from 'preact';
import { App } from './panel/app';
import './panel.css';

/** A rendering error shows a message instead of a blank panel. */
class Boundary extends Component<{ children?: ComponentChildren }, { error?: string }> {
  override state: { error?: string } = {};
  override componentDidCatch(e: unknown) {
    this.setState({ error: e instanceof Error ? e.message : String(e) });
  }
  render() {
    if (this.state.error) {
      return (
        <p class="status bad" role="alert">
          The CoatCheck panel failed: {this.state.error}. Clear or reload the panel.
        </p>
      );
    }
    return this.props.children;
  }
}

const root = document.getElementById('app');
if (root)
  render(
    <Boundary>
      <App />
    </Boundary>,
    root,
  );
