import { render } from 'preact';
import { App } from './panel/app';
import './panel.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
