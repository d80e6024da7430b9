// Only the Element Plus components the window uses are loaded, with their styles: the whole
// library costs start-up time and memory in the counter PC's WebKit process.
import { createApp } from 'vue'
import {
  ElAlert, ElButton, ElCard, ElCheckbox, ElCol, ElConfigProvider, ElContainer, ElDescriptions, ElDescriptionsItem,
  ElDialog, ElForm, ElFormItem, ElHeader, ElInput, ElInputNumber, ElMain, ElMenu, ElMenuItem, ElOption, ElProgress,
  ElRadio, ElRadioButton, ElRadioGroup, ElRow, ElSelect, ElStatistic, ElSwitch, ElTable, ElTableColumn, ElTag, ElTimeline, ElTimelineItem,
} from 'element-plus'
import 'element-plus/theme-chalk/base.css'
import 'element-plus/theme-chalk/el-alert.css'
import 'element-plus/theme-chalk/el-button.css'
import 'element-plus/theme-chalk/el-card.css'
import 'element-plus/theme-chalk/el-checkbox.css'
import 'element-plus/theme-chalk/el-col.css'
import 'element-plus/theme-chalk/el-container.css'
import 'element-plus/theme-chalk/el-header.css'
import 'element-plus/theme-chalk/el-main.css'
import 'element-plus/theme-chalk/el-descriptions.css'
import 'element-plus/theme-chalk/el-descriptions-item.css'
import 'element-plus/theme-chalk/el-dialog.css'
import 'element-plus/theme-chalk/el-overlay.css'
import 'element-plus/theme-chalk/el-form.css'
import 'element-plus/theme-chalk/el-form-item.css'
import 'element-plus/theme-chalk/el-input.css'
import 'element-plus/theme-chalk/el-input-number.css'
import 'element-plus/theme-chalk/el-menu.css'
import 'element-plus/theme-chalk/el-menu-item.css'
import 'element-plus/theme-chalk/el-select.css'
import 'element-plus/theme-chalk/el-option.css'
import 'element-plus/theme-chalk/el-popper.css'
import 'element-plus/theme-chalk/el-scrollbar.css'
import 'element-plus/theme-chalk/el-progress.css'
import 'element-plus/theme-chalk/el-radio.css'
import 'element-plus/theme-chalk/el-radio-group.css'
import 'element-plus/theme-chalk/el-radio-button.css'
import 'element-plus/theme-chalk/el-row.css'
import 'element-plus/theme-chalk/el-statistic.css'
import 'element-plus/theme-chalk/el-switch.css'
import 'element-plus/theme-chalk/el-table.css'
import 'element-plus/theme-chalk/el-table-column.css'
import 'element-plus/theme-chalk/el-tag.css'
import 'element-plus/theme-chalk/el-timeline.css'
import 'element-plus/theme-chalk/el-timeline-item.css'
import 'element-plus/theme-chalk/el-loading.css'
import './fonts.css'
import App from './App.vue'

const app = createApp(App)
for (const c of [
  ElAlert, ElButton, ElCard, ElCheckbox, ElCol, ElConfigProvider, ElContainer, ElDescriptions, ElDescriptionsItem,
  ElDialog, ElForm, ElFormItem, ElHeader, ElInput, ElInputNumber, ElMain, ElMenu, ElMenuItem, ElOption, ElProgress,
  ElRadio, ElRadioButton, ElRadioGroup, ElRow, ElSelect, ElStatistic, ElSwitch, ElTable, ElTableColumn, ElTag, ElTimeline, ElTimelineItem,
]) {
  app.use(c)
}
app.mount('#app')
