// The rating screen (评价器) that faces the applicant: its own small page, no Element Plus.
import { createApp } from 'vue'
import '../fonts.css'
import Screen from './Screen.vue'

createApp(Screen).mount('#app')
